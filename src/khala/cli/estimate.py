"""``khala mining estimate``: what a worker profile would earn, from the gatekeepers' engine."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.output import CliError, CliErrorCode, emit, reported_errors
from khala.cli.pool import parse_commission
from khala.offchain.estimator import Profile
from khala.primitives.fixed_point import U64F64
from khala.primitives.units import format_amount, parse_amount
from khala.sdk import Client
from khala.sdk.estimates import estimate_on_chain


def _share(text: str) -> U64F64:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if value < 0:
        raise CliError(
            CliErrorCode.INVALID_ARGUMENT, f"--network-share {text!r}: a non-negative number"
        )
    return U64F64.from_decimal(format(value, "f"))


def estimate_command(
    score: int = typer.Option(..., "--score", min=1, max=6000, help="Benchmark score (P)."),
    confidence: int = typer.Option(1, "--confidence", min=1, max=5, help="Confidence level."),
    stake: str = typer.Option(..., "--stake", help="Stake, e.g. 5000PHA."),
    days: int = typer.Option(30, "--days", min=1, max=3650, help="Days to simulate."),
    network_workers: int | None = typer.Option(
        None, "--network-workers", min=0, help="Assume this many other workers like this one."
    ),
    network_share: str | None = typer.Option(
        None, "--network-share", help="Or assume this Σshare of the other workers."
    ),
    commission: str = typer.Option(
        "0%", "--commission", help="A pool owner's commission (10%): splits the reward."
    ),
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Estimate V over time, daily rewards, the owner's commission and delegators' APR.

    Replays the gatekeepers' economics engine with the chain's parameters; the rest of the
    network is the live chain's Σshare unless `--network-workers` or `--network-share` says
    otherwise. Example: `khala mining estimate --score 2000 --stake 5000PHA --days 30`
    """
    with reported_errors(as_json=as_json):
        if network_workers is not None and network_share is not None:
            raise CliError(
                CliErrorCode.INVALID_ARGUMENT,
                "give --network-workers or --network-share, not both",
            )
        profile = Profile(score, confidence, parse_amount(stake, require_unit=True))
        result = estimate_on_chain(
            Client(url),
            profile,
            days=days,
            network_workers=network_workers,
            network_share=None if network_share is None else _share(network_share),
            commission_ppm=parse_commission(commission),
        )
        payload = result.to_json()
        emit(
            payload,
            as_json=as_json,
            text=lambda: "\n".join(
                [
                    f"V            {result.v_by_day[0].to_decimal(4)} → "
                    f"{result.v_by_day[-1].to_decimal(4)}"
                    f" after {days} days",
                    f"daily reward {format_amount(result.total_reward // days)} (average)",
                    f"total        {format_amount(result.total_reward)} over {days} days",
                    f"commission   {format_amount(result.owner_commission)} to the pool owner",
                    f"delegators   {format_amount(result.to_delegators)}"
                    f" = {payload['delegator_apr_percent']} % APR on the stake",
                ]
            ),
        )
