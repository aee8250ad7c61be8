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
