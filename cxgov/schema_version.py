"""Migrations: the runner over ``migrations/`` and the check that the schema is current."""
import os

from playhouse.migrations import Runner

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def runner(db, directory=None):
    return Runner(db, directory or MIGRATIONS_DIR)


def pending_migrations(db, directory=None):
    """Names of migration files not yet applied (all of them on an empty database)."""
    return [m.name for m in runner(db, directory).status() if not m.applied and m.path is not None]


def upgrade(db, directory=None):
    return runner(db, directory).up()


def downgrade_all(db, directory=None):
    r = runner(db, directory)
    reverted = []
    while any(m.applied for m in r.status()):
        reverted += r.down()
    return reverted

