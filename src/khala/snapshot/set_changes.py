"""Proofs that carry trust from the genesis authority set to a later one (warp-sync style).

A snapshot's block is signed by the authority set of its parent state, which governance may
have replaced any number of times since genesis. Each replacement leaves one
:class:`SetChange`: the header of the block that enacted it, that block's justification
(signed by the *previous* set, as every enacting block is) and a read proof of the new set
and set id against the block's state root. Starting from the genesis set, each fragment is
checked by the set before it, so an importer reaches the set that signed the snapshot's block
without any state between genesis and the snapshot. This is GRANDPA's warp-sync proof, with
the new set proven from state instead of a header digest.

Nodes record a fragment when they finalize an enacting block (its state is still at hand
then; pruning drops it later) and pass the list on in every snapshot they export.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from khala.errors import KhalaError
from khala.primitives.finality import FinalityError, Justification, verify_justification
from khala.primitives.scale import ScaleError, codec_of
from khala.primitives.trie import Trie, TrieError, generate_proof, verify_proof
from khala.primitives.types import Header
from khala.runtime.modules.authorship.state import AUTHORITIES, AUTHORITY_SET_ID, Authority

SET_PROOF_KEYS = (AUTHORITIES.key, AUTHORITY_SET_ID.key)
"""The storage a set proof covers: the authority set and its id (a few hundred bytes of
trie nodes, whatever the state's size)."""


@dataclass(frozen=True, slots=True)
class SetChange:
    """One authority-set change, provable from the set before it."""

    header: Header
    """The block that enacted the new set (its state holds it)."""
    justification: bytes
    """That block's justification (SCALE ``Justification``), by the previous set."""
    proof: list[bytes]
    """Trie nodes proving :data:`SET_PROOF_KEYS` against the header's state root."""


SET_CHANGE = codec_of(SetChange)
"""SCALE codec of a :class:`SetChange` (how nodes store them)."""
_JUSTIFICATION = codec_of(Justification)


class SetProofErrorCode(StrEnum):
    """Codes of :class:`SetProofError` (snapshots report them as ``snapshot.bad_set_change``)."""

    OUT_OF_ORDER = "set_proof.out_of_order"
    """The changes are not in increasing block order, or one is not below the checked block."""
    BAD_JUSTIFICATION = "set_proof.bad_justification"
    """A change's block is not finalized by the set in force before it."""
    BAD_PROOF = "set_proof.bad_proof"
    """A change's read proof fails against its block's state root, or proves no next set."""


class SetProofError(KhalaError):
    """A chain of authority-set changes does not verify."""


@dataclass(frozen=True, slots=True)
class AuthoritySet:
    """A verified authority set."""

    authorities: list[Authority]
    """Its members, in slot order."""
    set_id: int
    """Its id, signed into every justification it gives."""

    @property
    def keys(self) -> list[bytes]:
        """The members' ed25519 finality keys."""
        return [authority.finality_key for authority in self.authorities]


def set_proof(state: Trie) -> list[bytes]:
    """The read proof of :data:`SET_PROOF_KEYS` in ``state``."""
    return generate_proof(state, SET_PROOF_KEYS)


def proven_set(state_root: bytes, proof: list[bytes]) -> AuthoritySet:
    """The authority set a read proof shows under ``state_root``.

    Raises:
        TrieError: When the proof does not check out against the root.
        ScaleError: When the proven values do not decode.
    """
    proven = verify_proof(state_root, proof, SET_PROOF_KEYS)
    authorities = AUTHORITIES.value_codec.decode(proven[AUTHORITIES.key] or b"")
    raw_id = proven[AUTHORITY_SET_ID.key]
    set_id = 0 if raw_id is None else AUTHORITY_SET_ID.value_codec.decode(raw_id)
    return AuthoritySet(authorities, set_id)


def check_justification(header: Header, raw: bytes, signers: AuthoritySet) -> None:
    """Check that ``raw`` finalizes ``header`` with more than 2/3 of ``signers``.

    Raises:
        ScaleError: When the justification does not decode.
        FinalityError: When it is for another block or set, or lacks signatures.
    """
    verify_justification(
        _JUSTIFICATION.decode(raw),
        block_hash=header.hash(),
        number=header.number,
        set_id=signers.set_id,
        authorities=signers.keys,
    )


def follow_set_changes(start: AuthoritySet, changes: list[SetChange], below: int) -> AuthoritySet:
    """Walk ``changes`` from ``start``; return the set in force after the last one.

    Every change must be at a higher block than the one before and below block ``below``
    (the block the caller will check with the result), be finalized by the set in force, and
    prove a set whose id is one more.

    Raises:
        SetProofError: Naming the change that fails.
    """
    current = start
    previous = -1
    for index, change in enumerate(changes):
        number = change.header.number
        where = f"set change {index + 1} (block #{number})"
        if number <= previous or number >= below:
            raise SetProofError(
                SetProofErrorCode.OUT_OF_ORDER,
                f"{where} is out of order (after #{previous}, before #{below} required)",
            )
        try:
            check_justification(change.header, change.justification, current)
        except (ScaleError, FinalityError) as error:
            raise SetProofError(
                SetProofErrorCode.BAD_JUSTIFICATION,
                f"{where} is not finalized by authority set {current.set_id}: {error.message}",
            ) from None
        try:
            enacted = proven_set(change.header.state_root, change.proof)
        except (TrieError, ScaleError) as error:
            raise SetProofError(
                SetProofErrorCode.BAD_PROOF,
                f"{where}: the proof of its new set fails: {error.message}",
            ) from None
        if enacted.set_id != current.set_id + 1 or not enacted.authorities:
            raise SetProofError(
                SetProofErrorCode.BAD_PROOF,
                f"{where} proves set {enacted.set_id} with {len(enacted.authorities)} "
                f"authorities; set {current.set_id + 1} with at least one was expected",
            )
        current, previous = enacted, number
    return current
