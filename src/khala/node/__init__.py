"""The chain node: storage, transaction pool, block engine, JSON-RPC server."""
