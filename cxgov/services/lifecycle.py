"""The initiative lifecycle (DESIGN: Initiative lifecycle), kept in one table.

``MOVES`` is every legal move.  Some are taken only by a board decision or a
delivery review, never through ``POST /initiatives/{id}/transitions``; that
endpoint offers ``TRANSITION_ENDPOINT_MOVES``.
"""

PRE_DELIVERY = ("draft", "submitted", "approved", "rejected", "deferred", "changes_requested", "in_progress")

MOVES = {
    "draft": ("submitted", "cancelled"),
    "submitted": ("draft", "approved", "rejected", "deferred", "changes_requested", "cancelled"),
    "changes_requested": ("submitted", "cancelled"),
    "deferred": ("submitted", "cancelled"),
    "approved": ("in_progress", "cancelled"),
    "rejected": ("cancelled",),
    "in_progress": ("delivered", "cancelled"),
    "delivered": ("reviewed",),
    "reviewed": (),
    "cancelled": (),
}

#: Moves recorded by the board's decisions or the delivery review, not by this endpoint.
DECISION_TARGETS = frozenset({"approved", "rejected", "deferred", "changes_requested", "reviewed"})


def endpoint_moves(status):
    """Moves the transitions endpoint allows from ``status``."""
    return [to for to in MOVES[status] if to not in DECISION_TARGETS]


#: Roles that may call the transitions endpoint (a team lead: on their own team's initiatives).
TRANSITION_ROLES = ("admin", "team_lead")


def caller_moves(status, role, own_team, round_status):
    """The endpoint moves from ``status`` that this caller may make now.

    ``own_team``: the initiative belongs to the caller's team; ``round_status``: the status of
    the round it is in (None outside a round).  Withdrawing a submission (→ draft) is possible
    only while its round is open.
    """
    if role not in TRANSITION_ROLES or (role == "team_lead" and not own_team):
        return []
    moves = endpoint_moves(status)
    if status == "submitted" and round_status != "open":
        moves = [m for m in moves if m != "draft"]
    return moves
