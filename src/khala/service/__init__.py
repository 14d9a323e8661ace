"""What every long-running khala process does before it starts: claim its base path, its port."""
