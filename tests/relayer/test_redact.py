"""The relayer never writes a worker's control token into logs, messages or its state file."""

from __future__ import annotations

from khala.relayer.registration import redact
from khala.relayer.sync import TrackedWorker


def test_credentials_are_removed_from_shown_urls() -> None:
    """A token given as the URL's password is dropped; plain URLs are unchanged."""
    assert redact("http://:s3cret@10.0.0.5:8001") == "http://10.0.0.5:8001"
    assert redact("http://user:s3cret@host/path") == "http://host/path"
    assert redact("http://127.0.0.1:8001") == "http://127.0.0.1:8001"
    assert "s3cret" not in TrackedWorker("http://:s3cret@10.0.0.5:8001").shown
