"""JSON-RPC 2.0 over HTTP and WebSocket with Substrate's method names and result shapes."""
