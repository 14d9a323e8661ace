"""docs/errors.md lists every error code the package defines."""

from __future__ import annotations

import importlib
import pkgutil
from enum import StrEnum
from pathlib import Path

import khala
from khala.runtime.table import RUNTIME

DOCS = Path(__file__).resolve().parent.parent / "docs" / "errors.md"


def _error_codes() -> set[str]:
    codes: set[str] = set()
    for module_info in pkgutil.walk_packages(khala.__path__, "khala."):
        if module_info.name.endswith("__main__"):
            continue  # running it would start the CLI
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, StrEnum)
                and value.__name__.endswith("ErrorCode")
            ):
                codes |= {member.value for member in value}
    for enum in RUNTIME.error_enums().values():
        codes |= {member.value for member in enum}
    return codes


def test_every_error_code_is_documented() -> None:
    """Each ``*ErrorCode`` member appears in docs/errors.md, so users can look codes up."""
    text = DOCS.read_text()
    codes = _error_codes()
    assert len(codes) > 80
    missing = sorted(code for code in codes if f"`{code}`" not in text)
    assert missing == []
