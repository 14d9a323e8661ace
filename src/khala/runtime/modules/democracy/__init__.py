"""Democracy: public proposals, council proposals, referenda with conviction voting (FRAME's).

Anyone may propose a call (by its preimage hash) with a deposit; others ``second`` it with the
same deposit. Every launch period the most-backed public proposal, or the council's external
proposal, alternately, becomes a referendum. Token holders vote aye or nay with a balance and
a conviction (0.1x with no lock, 1x..6x locked for 1..32 lock periods after the referendum);
the tally passes by an adaptive quorum:

- public proposals (and ``external_propose``): **super-majority approve**,
  ``nays / sqrt(turnout) < ayes / sqrt(electorate)``: a low turnout needs a larger majority;
- ``external_propose_majority``: **simple majority**, ``ayes > nays``;
- ``external_propose_default`` (the whole council): **super-majority against**,
  ``nays / sqrt(electorate) < ayes / sqrt(turnout)``: passes unless a large turnout rejects it.

The electorate is the total issuance. A passed referendum is enacted through the scheduler
after its delay: ``enact_proposal`` looks the call up among the preimages and dispatches it as
root. Two thirds of the council may ``fast_track`` a council proposal (not a super-majority
approve one) into a referendum with a shorter voting period, or ``cancel_referendum``.
"""
