"""Mq: the signed message queue between the chain and off-chain parties.

Off-chain parties are workers now, and later gatekeepers, clusters and contracts.

Off-chain senders sign each message with a strictly increasing sequence; anyone may carry it
to the chain with ``sync_offchain_message``. Every block's outbound messages are kept in one
storage item (``Mq.OutboundMessages``) that is cleared at the start of the block, so a worker
reads exactly that block's messages from state it has verified. Topics starting with ``^`` stay
on chain; one routing table maps topics to on-chain handlers.
"""
