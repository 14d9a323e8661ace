"""Where commands find the node.

``--url``, else ``KHALA_URL``, else the config file, else ``http://127.0.0.1:9944``.

The config file is ``$XDG_CONFIG_HOME/khala/config.toml`` (``~/.config/khala/config.toml``)::

    url = "ws://10.0.0.2:9944"
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

from khala.sdk.transport import DEFAULT_URL

URL_ENV = "KHALA_URL"
"""The environment variable naming the default node URL."""


def config_path() -> Path:
    """The config file's location (it need not exist)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "khala" / "config.toml"


def default_url() -> str:
    """The node URL from the config file, or the built-in default.

    A config file that cannot be read or parsed is reported on stderr and ignored, so a broken
    file never stops a command that names its node explicitly.
    """
    path = config_path()
    if not path.exists():
        return DEFAULT_URL
    try:
        settings = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        print(f"warning: ignoring {path}: {error}", file=sys.stderr)
        return DEFAULT_URL
    url = settings.get("url")
    if not isinstance(url, str):
        if url is not None:
            print(f"warning: ignoring {path}: url must be a string", file=sys.stderr)
        return DEFAULT_URL
    return url
