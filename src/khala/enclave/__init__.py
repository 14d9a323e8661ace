"""Enclave backends: where a worker's keys live, how it seals data and obtains quotes."""
