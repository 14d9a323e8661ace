"""Confidential contracts on chain (Phala's ``PhalaPhatContracts``): clusters, code, contracts.

The chain never runs contract code. It records clusters of workers (created by governance),
the code uploaded to them, the contracts instantiated there and the keys the gatekeepers
publish for them, moves PHA into clusters, and carries every operation to the cluster's
workers as a message in block order: uploads, instantiations, deposits and the users'
encrypted commands. Workers report back through signed messages: instantiation results
(signed by the cluster key) and contract events (signed by the contract key).
"""
