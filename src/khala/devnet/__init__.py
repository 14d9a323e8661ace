"""The one-command devnet: a whole khala network on one machine, supervised and seeded.

``khala devnet`` starts a node, two gatekeepers, N workers with simulated enclaves (one dev
PKI), the fleet relayer and (unless ``--no-console``) the web console as real processes on
loopback; restarts any that dies, with backoff; seeds the network (a pool with delegators, the
workers in it, a crowdloan vesting account, the fair-launch timer a few blocks ahead) and shows
it live. Its data lives under ``.khala/devnet``: running it again resumes the same network.
"""
