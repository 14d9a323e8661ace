"""The council: a collective of members whose motions act with a council origin.

A member proposes a call with a threshold of ayes; members vote; anyone closes a motion once
the threshold is met, once it can no longer be met, or after the motion duration. A carried
motion dispatches its call with the origin "ayes of members" (:class:`CouncilOrigin`), which
governed calls accept when the share is large enough (``ensure_governance``: ½, ⅔ or all of
the council). Members are set at genesis and by governance (``set_members``). FRAME's
pallet-collective is the model (no prime member: a motion not carried by its end fails).
"""
