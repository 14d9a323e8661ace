"""Attribute docstrings: the string literal written under a constant, field or enum member.

Python keeps class and function docstrings but drops the ones under assignments, which is where
this codebase documents storage items, enum members and fields. The runtime metadata carries
them to tools, so they are read back from the (unchanging) source of our own modules.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from functools import cache
from typing import Any


@cache
def attribute_docs(owner: Any) -> dict[str, str]:
    """Map each name assigned in a class or module body to the docstring right below it.

    Args:
        owner: A class or module of this codebase.

    Returns:
        ``{name: docstring}`` with whitespace normalised; names without a docstring are absent.
    """
    try:
        source = inspect.getsource(owner)
    except (OSError, TypeError):
        return {}
    tree = ast.parse(textwrap.dedent(source))
    body = tree.body[0].body if inspect.isclass(owner) else tree.body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if not (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            continue
        target = None
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target = node.target.id
        if target is not None:
            docs[target] = " ".join(following.value.value.split())
    return docs
