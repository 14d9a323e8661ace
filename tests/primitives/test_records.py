"""maker builds the same frozen records as their classes, and only for classes it may."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from khala.primitives.records import maker
from khala.runtime.modules.system.state import AccountData, AccountInfo


@dataclass(frozen=True, slots=True)
class _Checked:
    total: int
    parts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.total < 0:
            raise ValueError("negative")


@dataclass(frozen=True)
class _Unslotted:
    value: int


@dataclass(frozen=True, slots=True)
class _Derived:
    value: int
    doubled: int = field(init=False, default=0)


def test_made_records_equal_built_ones_and_stay_frozen() -> None:
    make = maker(AccountInfo)
    assert make is not AccountInfo
    data = maker(AccountData)(5, 1, 2, 1 << 127)
    made = make(3, 0, 1, 0, data)
    built = AccountInfo(3, 0, 1, 0, AccountData(5, 1, 2, 1 << 127))
    assert type(made) is AccountInfo and made == built and hash(made) == hash(built)
    assert repr(made) == repr(built)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.nonce = 4  # type: ignore[misc]


def test_classes_whose_init_does_more_are_built_by_the_class() -> None:
    for cls in (_Checked, _Unslotted, _Derived):
        assert maker(cls) is cls
    with pytest.raises(ValueError, match="negative"):
        maker(_Checked)(-1)
