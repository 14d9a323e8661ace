"""``khala bench`` runs small configurations and reports the issue's figures as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import khala
from khala.cli.app import app
from khala.cli.bench import _median_round

runner = CliRunner()


def test_trie_bench_reports_figures() -> None:
    """A small trie benchmark reports timing, proof and machine fields."""
    result = runner.invoke(
        app,
        [
            "bench",
            "trie",
            "--keys",
            "500",
            "--dirty",
            "50",
            "--proofs",
            "20",
            "--rounds",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["keys"] == 500
    assert figures["incremental_us_per_key"] > 0
    assert figures["proof_verifies_per_s"] > 0
    assert figures["machine"]["cores"] >= 1


def test_codec_bench_reports_ratios() -> None:
    """A short codec benchmark reports both codecs' rates and ratios (speed is not asserted)."""
    result = runner.invoke(
        app, ["bench", "codec", "--rounds", "1", "--round-seconds", "0.02", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    for name in ("decode_ratio", "encode_ratio", "scalecodec_decode_ops_per_s", "decode_ops_per_s"):
        assert figures[name] > 0
    assert figures["encoded_bytes"] == 48


def test_bad_bench_parameters_are_typed() -> None:
    """Sizes that make no sense exit 2 with a typed code."""
    result = runner.invoke(app, ["bench", "trie", "--keys", "10", "--dirty", "20", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output.strip().splitlines()[-1])["error"]["code"] == (
        "bench.invalid_parameter"
    )


def test_sync_bench_reports_figures() -> None:
    """A small sync benchmark reports blocks/s for both segments and the worker's memory."""
    result = runner.invoke(
        app,
        ["bench", "sync", "--empty", "30", "--transfer-blocks", "2", "--per-block", "5", "--json"],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["empty_blocks"] == 30 and figures["empty_blocks_per_s"] > 0
    assert figures["transfer_blocks_per_s"] > 0 and figures["worker_rss_mib"] > 0


def test_tokenomics_bench_reports_figures() -> None:
    """A small tokenomics benchmark settles heartbeats and reports per-block time."""
    result = runner.invoke(
        app, ["bench", "tokenomics", "--workers", "3000", "--blocks", "20", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["workers"] == 3000 and figures["blocks"] == 20
    assert figures["ms_per_block"] > 0 and figures["settlements_per_block"] > 0


def test_tokenomics_bench_with_unresponsive_workers_reports_recoveries() -> None:
    """With 20 % answering after the window, workers go unresponsive and recover."""
    result = runner.invoke(
        app,
        ["bench", "tokenomics", "--workers", "2000", "--blocks", "60",
         "--unresponsive-percent", "20", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["unresponsive_percent"] == 20
    assert figures["went_unresponsive"] > 0 and figures["recovered"] > 0


def test_pools_bench_reports_figures() -> None:
    """A small pools benchmark reports operations per second and settlement routing time."""
    result = runner.invoke(
        app, ["bench", "pools", "--pools", "5", "--workers-per-pool", "4", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["computing_workers"] == 20 and figures["pools"] == 5
    assert figures["ops_per_s"] > 0 and figures["transfer_per_s_baseline"] > 0
    assert figures["settle_ms_10k_workers"] > 0 and figures["settlements_per_block"] == 20


def test_transfer_bench_batches_and_compares_with_a_baseline_tree() -> None:
    """Batched submissions all finalize, and a baseline node's figure and the ratio come back.

    The "baseline" here is this package's own source tree: the run must work end to end, the
    ratio itself is not asserted (speed is never asserted in tests).
    """
    source = Path(khala.__file__).resolve().parent.parent
    result = runner.invoke(
        app,
        [
            "bench", "transfers", "--transfers", "64", "--senders", "4", "--connections", "2",
            "--batch", "8", "--block-time", "0.2", "--baseline-src", str(source), "--rounds", "2",
            "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["transfers"] == 64 and figures["batch"] == 8
    assert figures["baseline_transfers_per_s"] > 0 and figures["ratio_to_baseline"] > 0
    rounds = figures["rounds"]
    assert len(rounds) == 2
    assert figures["ratio_to_baseline"] == min(entry["ratio_to_baseline"] for entry in rounds)
    assert figures["import_ms_per_1000"] > 0


def test_several_rounds_report_the_median_round_with_every_round() -> None:
    played = [
        {"transfers_per_s": 1500.0, "baseline_transfers_per_s": 1000.0, "ratio_to_baseline": 1.5},
        {"transfers_per_s": 1300.0, "baseline_transfers_per_s": 1000.0, "ratio_to_baseline": 1.3},
        {"transfers_per_s": 1500.0, "baseline_transfers_per_s": 1100.0, "ratio_to_baseline": 1.364},
    ]
    median = _median_round(played)
    assert median["ratio_to_baseline"] == 1.364 and median["baseline_transfers_per_s"] == 1100.0
    assert median["rounds"] == played
    alone = _median_round([{"transfers_per_s": 9.0}, {"transfers_per_s": 7.0}])
    assert alone["transfers_per_s"] == 7.0  # the lower middle of an even count
    assert "rounds" not in _median_round([{"transfers_per_s": 9.0}])
