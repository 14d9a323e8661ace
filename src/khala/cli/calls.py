"""Any call from the command line: ``module.call_name`` and JSON arguments.

Governance acts on calls: a council motion, a democracy proposal and a preimage carry any call
of the runtime. ``--call balances.force_set_balance --args '{"who": "5Grw…", "new_free":
"10PHA"}'`` names the module and call as the metadata does (snake case) and gives each field
by name. Values: integers (or amounts such as ``"10PHA"`` for balances), ``true``/``false``,
``"0x…"`` for bytes and hashes, SS58 or ``0x`` account ids for accounts and addresses, enum
members by name (``"locked3x"``), ``null`` for an absent option, arrays for lists and tuples,
and ``{"call": "module.name", "args": {…}}`` for a nested call.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from typing import Any

from khala.cli.output import CliError, CliErrorCode
from khala.primitives.scale.enums import variants_of
from khala.primitives.ss58 import Ss58Error
from khala.primitives.units import AmountError, parse_amount
from khala.runtime.metadata_names import snake
from khala.runtime.outer import CALL_CODEC
from khala.runtime.table import RUNTIME
from khala.runtime.types import ACCOUNT_ID_CODEC, AddressId, MultiAddress
from khala.sdk.core import account_id

CALL_HELP = "The call, as module.call_name (snake case, as the metadata names it)."
"""Help text of ``--call`` options."""
ARGS_HELP = 'The call\'s fields as a JSON object, e.g. \'{"remark": "0x1234"}\'.'
"""Help text of ``--args`` options."""


def _bad(message: str) -> CliError:
    return CliError(CliErrorCode.INVALID_ARGUMENT, message)


def call_class(name: str) -> type:
    """The call variant ``module.call_name`` names.

    Raises:
        CliError: ``cli.invalid_argument`` listing the module's calls when it is unknown.
    """
    module_name, _, call_name = name.partition(".")
    module = next(
        (m for m in RUNTIME.modules if snake(m.name) == snake(module_name) and m.calls), None
    )
    if module is None or module.calls is None:
        known = ", ".join(sorted(snake(m.name) for m in RUNTIME.modules if m.calls))
        raise _bad(f"{module_name!r} is not a module with calls; modules: {known}")
    variants = {snake(cls.__name__): cls for cls in variants_of(module.calls).values()}
    if call_name not in variants:
        raise _bad(f"{snake(module.name)} has no call {call_name!r}; calls: {', '.join(variants)}")
    return variants[call_name]


def build_call(name: str, args: Any) -> Any:
    """The call ``name`` with ``args`` (a dict of field -> JSON value).

    Raises:
        CliError: ``cli.invalid_argument`` naming the first field that is missing, unknown or
            of the wrong shape.
    """
    cls = call_class(name)
    if not isinstance(args, dict):
        raise _bad(f"{name}: the arguments must be a JSON object of field -> value")
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = [f.name for f in dataclasses.fields(cls)]
    unknown = set(args) - set(fields)
    if unknown:
        raise _bad(f"{name} has no field {sorted(unknown)[0]!r}; fields: {', '.join(fields)}")
    values = {}
    for field in fields:
        if field not in args:
            raise _bad(f"{name}: give {field!r} (fields: {', '.join(fields)})")
        values[field] = _convert(hints[field], args[field], f"{name}.{field}")
    return cls(**values)


def parse_call(name: str, args_text: str) -> Any:
    """:func:`build_call` from the ``--args`` JSON text.

    Raises:
        CliError: ``cli.invalid_argument`` for JSON that does not parse, or a bad call.
    """
    try:
        args = json.loads(args_text or "{}")
    except json.JSONDecodeError as error:
        raise _bad(f"--args is not JSON: {error.msg} at column {error.colno}") from None
    return build_call(name, args)


def _convert(annotation: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        if CALL_CODEC in meta:
            return _nested(value, where)
        if ACCOUNT_ID_CODEC in meta:
            return _account(value, where)
        return _convert(base, value, where)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value is None:
            return None
        return _convert(options[0], value, where)
    if origin in (list, tuple):
        items = typing.get_args(annotation)
        if not isinstance(value, list):
            raise _bad(f"{where}: expected an array")
        if origin is tuple:
            if len(items) != len(value):
                raise _bad(f"{where}: expected {len(items)} items")
            pairs = enumerate(zip(items, value, strict=True))
            return tuple(_convert(a, v, f"{where}[{i}]") for i, (a, v) in pairs)
        return [_convert(items[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if annotation is bool:
        if not isinstance(value, bool):
            raise _bad(f"{where}: expected true or false")
        return value
    if annotation is int:
        return _integer(value, where)
    if annotation is bytes:
        return _hex(value, where)
    if annotation is str:
        return str(value)
    if isinstance(annotation, type) and issubclass(annotation, enum.IntEnum):
        return _member(annotation, value, where)
    if annotation is MultiAddress:
        return AddressId(_account(value, where))
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return build_dataclass(annotation, value, where)
    raise _bad(f"{where}: this field's type cannot be given on the command line")


def build_dataclass(cls: type, value: Any, where: str) -> Any:
    """A record field given as a JSON object."""
    if not isinstance(value, dict):
        raise _bad(f"{where}: expected an object")
    hints = typing.get_type_hints(cls, include_extras=True)
    return cls(
        **{
            f.name: _convert(hints[f.name], value.get(f.name), f"{where}.{f.name}")
            for f in dataclasses.fields(cls)
        }
    )


def _nested(value: Any, where: str) -> Any:
    if not (isinstance(value, dict) and isinstance(value.get("call"), str)):
        raise _bad(f'{where}: a nested call is {{"call": "module.name", "args": {{...}}}}')
    return build_call(value["call"], value.get("args", {}))


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise _bad(f"{where}: expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return parse_amount(value)
        except AmountError as error:
            raise _bad(f"{where}: {error.message}") from None
    raise _bad(f'{where}: expected an integer or an amount such as "10PHA"')


def _hex(value: Any, where: str) -> bytes:
    if isinstance(value, str) and value.startswith("0x"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise _bad(f"{where}: expected 0x-prefixed hex")


def _account(value: Any, where: str) -> bytes:
    if not isinstance(value, str):
        raise _bad(f"{where}: expected an SS58 address or a 0x account id")
    try:
        return account_id(value)
    except Ss58Error as error:
        raise _bad(f"{where}: {error.message}") from None


def _member(cls: type[enum.IntEnum], value: Any, where: str) -> enum.IntEnum:
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return cls(value)
        except ValueError:
            pass
    if isinstance(value, str):
        for member in cls:
            if member.name.lower() == value.lower().replace("-", "_"):
                return member
    names = ", ".join(member.name.lower() for member in cls)
    raise _bad(f"{where}: one of {names}")
