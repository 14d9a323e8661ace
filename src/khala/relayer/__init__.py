"""The relayer: an untrusted courier between workers and the chain."""
