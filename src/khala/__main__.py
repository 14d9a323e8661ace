"""``python -m khala``: the same as the ``khala`` command."""

from khala.cli.app import main

main()
