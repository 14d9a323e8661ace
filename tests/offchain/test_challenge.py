"""Challenge hits found through the index equal the definition checked worker by worker."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khala.offchain.challenge import U256_MAX, ChallengeIndex, is_hit, online_target

PUBKEYS = [index.to_bytes(32, "little") for index in range(2000)]


@settings(max_examples=60)
@given(st.integers(0, U256_MAX), st.integers(1, 2000))
def test_index_hits_equal_brute_force(seed: int, workers: int) -> None:
    """For any seed and worker count, the bucketed search finds exactly the hit workers."""
    index = ChallengeIndex()
    for pubkey in PUBKEYS[:workers]:
        index.add(pubkey)
    target = online_target(workers, 12, 20)
    expected = {
        pubkey for pubkey in PUBKEYS[:workers] if is_hit(index.hashes[pubkey], seed, target)
    }
    assert set(index.hits(seed, target)) == expected


def test_online_target_follows_the_formula() -> None:
    """max_tx = N·2·12/3600; target = min(20, max_tx); f = floor(target/N·2^24).

    N = 30,000: max_tx = 200, target = 20, f = floor(20/30000·2^24) = 11,184.
    N = 50: max_tx = 1/3, target = 1/3, f = floor(1/150·2^24) = 111,848: each worker is hit
    once per 150 blocks (30 minutes), i.e. twice an hour.
    """
    assert online_target(30_000, 12, 20) == (U256_MAX >> 24) * 11_184
    assert online_target(50, 12, 20) == (U256_MAX >> 24) * 111_848
    assert online_target(0, 12, 20) == 0


def test_expected_hits_are_about_the_target() -> None:
    """With 20,000 workers, about 20 are hit per block on average."""
    index = ChallengeIndex()
    for number in range(20_000):
        index.add(number.to_bytes(32, "big"))
    target = online_target(20_000, 12, 20)
    total = sum(
        len(index.hits(int.from_bytes(bytes([block]) * 32, "big"), target)) for block in range(50)
    )
    assert 10 * 50 < total < 30 * 50


@settings(max_examples=40)
@given(st.integers(0, U256_MAX), st.integers(0, 4000))
def test_bucket_lookup_equals_brute_force(seed: int, fraction: int) -> None:
    """With fewer candidate buckets than workers the lookup path is taken; it is exact too."""
    index = ChallengeIndex()
    for pubkey in PUBKEYS:
        index.add(pubkey)
    target = (U256_MAX >> 24) * fraction + seed % 1000  # an unaligned boundary bucket
    expected = {pubkey for pubkey in PUBKEYS if is_hit(index.hashes[pubkey], seed, target)}
    assert set(index.hits(seed, target)) == expected
