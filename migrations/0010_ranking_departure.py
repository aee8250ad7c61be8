"""decision.departure: a departure from the ranking, recorded on the decision that departs.

Hand-written.  Replaces the "ranking" override kind (issue 15): a decision against the pinned
ranking's rank-order fill given the decisions so far stores {"kind": "ranking_departure",
"funded_by_fill", "displaces", "makes_room_for"} as JSON text; null when it follows the
ranking.  Decisions recorded before keep their stored override kinds ("ranking" among them)
and a null departure.
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('decision', 'departure', TextField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('decision', 'departure'))
