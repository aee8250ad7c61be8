"""CompiledSelect: the SQL peewee built once, run with new values, answers as peewee does."""
import pytest

from cxgov.db import CompiledSelect, database, instance_from_row
from cxgov.models import Team, User
from cxgov.services import auth, teams
from cxgov.services.actor import SYSTEM

FIELDS = tuple(Team._meta.sorted_fields)


def test_answers_as_the_peewee_query_for_each_value(app):
    by_name = CompiledSelect(lambda name: Team.select(*FIELDS).where(Team.name == name).order_by(Team.id), "\x00name")
    with app.app_context():
        made = [teams.create_team(SYSTEM, name=n, department="Ops", lead_name="Lee") for n in ("Alpha", "Beta")]
        for team in made:
            rows = by_name.rows(team.name)
            assert len(rows) == 1
            got = instance_from_row(Team, FIELDS, rows[0])
            assert got.__data__ == Team.get_by_id(team.id).__data__ and not got.is_dirty()
        assert by_name.rows("Gamma") == []
        database.close()


def test_recompiles_for_another_database(app, database_url):
    """Each database object gets its own SQL (the parameter style differs between SQLite and
    PostgreSQL; tests and `cxgov serve` open databases anew)."""
    from cxgov.app import create_app

    by_name = CompiledSelect(lambda name: Team.select(Team.id).where(Team.name == name), "\x00name")
    with app.app_context():
        team = teams.create_team(SYSTEM, name="Alpha", department="Ops", lead_name="Lee")
        assert by_name.rows("Alpha") == [(team.id,)]
        first = database.obj
        assert by_name._compiled[0] is first
        database.close()
    other = create_app({"DATABASE_URL": database_url, "TESTING": True})  # a new database object
    try:
        with other.app_context():
            assert database.obj is not first
            assert by_name.rows("Alpha") == [(team.id,)] and by_name._compiled[0] is database.obj
            database.close()
    finally:
        if hasattr(first, "close_all"):
            first.close_all()


def test_a_marker_must_appear_exactly_once(app):
    twice = CompiledSelect(lambda v: Team.select().where((Team.name == v) | (Team.lead_name == v)), "\x00v")
    never = CompiledSelect(lambda v: Team.select().where(Team.name == "x"), "\x00v")
    with app.app_context():
        with pytest.raises(RuntimeError, match="appears 2 times"):
            twice.rows("a")
        with pytest.raises(RuntimeError, match="appears 0 times"):
            never.rows("a")
        database.close()


def test_an_id_past_any_column_range_matches_nothing(app):
    """PostgreSQL ids are 4-byte integers; a 64-bit id in the URL must find nothing, not fail."""
    by_id = CompiledSelect(lambda team_id: Team.select(Team.id).where(Team.id == team_id), -7_123_457)
    with app.app_context():
        assert by_id.rows(9223372036854775806) == [] and by_id.rows(-1) == []
        database.close()


# ------------------------------------------------------------------ pairs and reading along
from cxgov.db import CompiledPair, forget_prefetched, offer  # noqa: E402

TEAM_BY_NAME = CompiledSelect(lambda name: Team.select(*FIELDS).where(Team.name == name).limit(1), "\x00pname")
# a nullable column alone: a found row of NULLs must not read as "no row"
TEAM_OF = CompiledSelect(lambda user_id: User.select(User.team).where(User.id == user_id).limit(1), -7_123_458)
LEAD_OF = CompiledSelect(lambda team_id: Team.select(Team.lead_name).where(Team.id == team_id).limit(1), -7_123_459)


def test_a_pair_answers_each_part_as_run_alone(app):
    pair = TEAM_BY_NAME.paired_with(TEAM_OF)
    assert TEAM_BY_NAME.paired_with(TEAM_OF) is pair and isinstance(pair, CompiledPair)
    with app.app_context():
        alpha = teams.create_team(SYSTEM, name="Alpha", department="Ops", lead_name="Lee")
        lead = auth.create_user(SYSTEM, "lead@example.com", "Lead", "team_lead", alpha.id)
        viewer = auth.create_user(SYSTEM, "viewer@example.com", "Viewer", "viewer")
        for name in ("Alpha", "Gamma"):
            for user_id in (lead.id, viewer.id, 999_999, 9223372036854775806):
                both = pair.both((name,), (user_id,))
                assert both == (TEAM_BY_NAME.rows(name), TEAM_OF.rows(user_id)), (name, user_id)
        assert pair.both(("Alpha",), (viewer.id,)) == (TEAM_BY_NAME.rows("Alpha"), [(None,)])  # found, and NULL
        assert pair.both(("Gamma",), (999_999,)) == ([], [])
        database.close()


def test_a_pair_takes_only_one_row_reads(app):
    unlimited = CompiledSelect(lambda name: Team.select(Team.id).where(Team.name == name), "\x00uname")
    with app.app_context():
        with pytest.raises(RuntimeError, match="at most one row"):
            TEAM_BY_NAME.paired_with(unlimited).both(("a",), ("b",))
        database.close()


def test_offered_rows_are_taken_once_with_the_same_values_and_forgotten(app):
    with app.app_context():
        team = teams.create_team(SYSTEM, name="Alpha", department="Ops", lead_name="Lee")
        offer(LEAD_OF, (team.id,), [("offered",)])
        assert LEAD_OF.rows(team.id + 1) == []  # other values: read from the database
        assert LEAD_OF.rows(team.id) == [("offered",)]  # taken ...
        assert LEAD_OF.rows(team.id) == [("Lee",)]  # ... once
        offer(LEAD_OF, (team.id,), [("offered",)])
        forget_prefetched()
        assert LEAD_OF.rows(team.id) == [("Lee",)]
        database.close()
