"""etcd as the clustered engine's ordered, fenced log (DESIGN §13).

:mod:`.client` is the interface the engine uses (a key-value store with revisions, leases,
compare-and-swap transactions and watches), :mod:`.gateway` talks to a real etcd through its
v3 JSON gateway over HTTP, and :mod:`.memory` is an in-memory etcd for tests.
"""
