"""The state overlay: reads fall through, nested transactions commit and roll back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khala.primitives.trie import Trie
from khala.runtime.context import EventLog, transaction
from khala.runtime.state import State, StateError, StateErrorCode
from khala.runtime.types import Finalization

_keys = st.binary(min_size=1, max_size=3)
_operations = st.lists(
    st.one_of(
        st.tuples(st.just("set"), _keys, st.binary(max_size=4)),
        st.tuples(st.just("delete"), _keys, st.none()),
        st.tuples(st.just("begin"), st.none(), st.none()),
        st.tuples(st.just("commit"), st.none(), st.none()),
        st.tuples(st.just("rollback"), st.none(), st.none()),
    ),
    max_size=40,
)


@given(st.dictionaries(_keys, st.binary(max_size=4), max_size=10), _operations)
def test_overlay_matches_a_model_with_snapshots(base: dict[bytes, bytes], operations: list) -> None:  # type: ignore[type-arg]
    """Against a dict model with a snapshot stack, every read and iteration agrees."""
    state = State(Trie.from_items(base.items()))
    model = dict(base)
    snapshots: list[dict[bytes, bytes]] = []
    for kind, key, value in operations:
        if kind == "set":
            state.set(key, value)
            model[key] = value
        elif kind == "delete":
            state.delete(key)
            model.pop(key, None)
        elif kind == "begin":
            state.begin()
            snapshots.append(dict(model))
        elif kind == "commit" and snapshots:
            state.commit()
            snapshots.pop()
        elif kind == "rollback" and snapshots:
            state.rollback()
            model = snapshots.pop()
    for key in set(model) | set(base):
        assert state.get(key) == model.get(key)
    assert list(state.items()) == sorted(model.items())
    while snapshots:
        state.commit()
        snapshots.pop()
    changes = state.changes()
    applied = {**base, **{key: value for key, value in changes.items() if value is not None}}
    for key, value in changes.items():
        if value is None:
            applied.pop(key, None)
    assert applied == model


def test_transaction_context_rolls_back_on_error() -> None:
    """``with transaction(state, events)``: writes and events kept on success, dropped on error."""
    state, events = State(Trie()), EventLog()
    with transaction(state, events):
        state.set(b"a", b"1")
        events.records.append((Finalization(), "kept"))
    with pytest.raises(ValueError), transaction(state, events):
        state.set(b"b", b"2")
        events.records.append((Finalization(), "dropped"))
        raise ValueError
    assert state.get(b"a") == b"1"
    assert state.get(b"b") is None
    assert [event for _, event in events.records] == ["kept"]


def test_misuse_is_typed() -> None:
    """Commit without a transaction, or changes() inside one, are typed errors."""
    state = State(Trie())
    with pytest.raises(StateError) as caught:
        state.commit()
    assert caught.value.code is StateErrorCode.NO_TRANSACTION
    state.begin()
    with pytest.raises(StateError) as caught:
        state.changes()
    assert caught.value.code is StateErrorCode.OPEN_TRANSACTION
