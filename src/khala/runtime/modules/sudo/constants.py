"""Sudo's constants."""

MODULE_INDEX = 99
"""Module index of Sudo (absent from production runtimes)."""
MODULE_NAME = "Sudo"
"""Storage prefix name."""
SUDO_WEIGHT = 500_000_000
"""Weight (ps) of a sudo call, covering the calls it wraps on the dev chain."""
