"""State snapshots (fast sync): the file format, its reader and writer, and verification."""
