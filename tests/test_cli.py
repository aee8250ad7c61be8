"""The ``cxgov`` command line: migrations, create-admin, the demo dataset, serve's guard."""
import pytest

from cxgov import cli as cli_module
from cxgov import demo as demo_data
from cxgov.cli import cli
from cxgov.db import database
from cxgov.models import (
    AuditEvent, Initiative, InitiativeDependency, InitiativePartner, Metric, Objective, Partner,
    PartnerAssessment, Round, Team, User,
)
from cxgov.models.initiatives import BUILDING_BLOCKS, FOCUS_AREAS
from cxgov.services.audit import verify_chain
from tests.conftest import bearer


@pytest.fixture
def invoke(runner):
    def _invoke(*args, input=None):
        return runner.invoke(cli, list(args), input=input)

    return _invoke


def _ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


@pytest.fixture
def unmigrated(invoke):
    """The test database with every migration reverted (migrated again afterwards)."""
    _ok(invoke("db", "downgrade", "--yes"))
    yield
    invoke("db", "upgrade")


# ---------------------------------------------------------------- db
def test_db_upgrade_on_a_fresh_database(app, invoke, client, unmigrated):
    status = _ok(invoke("db", "status"))
    assert "0001_initial" in status and "pending" in status and "cxgov db upgrade" in status
    assert client.get("/readyz").status_code == 503  # the app refuses an unmigrated database

    out = _ok(invoke("db", "upgrade"))
    assert "applied 0001_initial" in out and "created the default scoring model 'default'" in out
    again = _ok(invoke("db", "upgrade"))
    assert "up to date" in again and "default scoring model" not in again
    status = _ok(invoke("db", "status"))
    assert "pending" not in status and "up to date" in status
    assert database.is_closed()

    assert client.get("/readyz").status_code == 200
    with app.app_context():
        assert Team.select().count() == 0
        from cxgov.models import ScoringModel

        assert [m.key for m in ScoringModel.select()] == ["default"]
        assert verify_chain()["ok"] and verify_chain()["length"] == 1  # its creation is logged


def test_db_downgrade_asks_first(app, invoke):
    result = invoke("db", "downgrade", input="n\n")
    assert result.exit_code != 0
    assert "Revert all migrations" in result.output
    with app.app_context():
        assert Team.table_exists()
        database.close()


# ---------------------------------------------------------------- create-admin
def test_create_admin_prints_a_working_token_last(app, invoke, client):
    out = _ok(invoke("create-admin", "--email", "Boss@Example.com", "--name", "The Boss"))
    lines = out.strip().splitlines()
    token = lines[-1]
    assert token.startswith("cxg_") and len(token) > 40
    assert out.count(token) == 1
    assert database.is_closed()

    response = client.get("/api/v1/teams", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    assert client.get("/api/v1/teams").status_code == 401
    with app.app_context():
        user = User.get(User.email == "boss@example.com")
        assert (user.role, user.name) == ("admin", "The Boss")
        actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
        assert actions[-2:] == ["user.created", "token.created"]
        assert verify_chain()["ok"]


def test_create_admin_refuses_a_duplicate_email(app, invoke):
    _ok(invoke("create-admin", "--email", "boss@example.com"))
    result = invoke("create-admin", "--email", "BOSS@example.com")
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert User.select().count() == 1


def test_create_admin_refuses_an_unmigrated_database(invoke, unmigrated):
    result = invoke("create-admin", "--email", "boss@example.com")
    assert result.exit_code != 0
    assert "cxgov db upgrade" in result.output


# ---------------------------------------------------------------- demo
@pytest.fixture
def demo_loaded(invoke, tmp_path):
    tokens_file = tmp_path / "demo-tokens.env"
    out = _ok(invoke("demo", "--tokens-file", str(tokens_file)))
    return out, tokens_file


def test_demo_loads_the_dataset(app, demo_loaded):
    out, _ = demo_loaded
    assert database.is_closed()
    with app.app_context():
        assert Team.select().count() == 8
        assert len({t.department for t in Team.select()}) == 8
        assert Metric.select().count() == 6
        assert Objective.select().count() == 5
        assert Partner.select().count() == 6
        assert Initiative.select().count() == 40 + 5  # the open round's, and last year's delivered five
        assert Initiative.select().where(Initiative.status == "submitted").count() == 35
        assert Initiative.select().where(Initiative.status == "reviewed").count() == 4
        assert Initiative.select().where(Initiative.status == "delivered").count() == 1
        assert Initiative.select().where(Initiative.status == "draft").count() == 5
        assert InitiativeDependency.select().count() >= 3
        assert InitiativePartner.select().count() >= 10
        roles = {u.role for u in User.select()}
        assert roles == {"admin", "board_chair", "board_member", "team_lead", "finance", "viewer"}
        assert User.select().where(User.role == "team_lead").count() == 8

        cells = {(i.focus_area, i.building_block) for i in Initiative.select()}
        assert len(cells) == 16 == len(FOCUS_AREAS) * len(BUILDING_BLOCKS)

        past, rnd = Round.select().order_by(Round.id)
        assert rnd.status == "open" and past.status == "closed" and past.committed <= past.budget
        requested = sum(i.requested_amount for i in Initiative.select().where(Initiative.round == rnd.id))
        assert 0.30 <= rnd.budget / requested <= 0.37
        assert all(isinstance(i.requested_amount, int) for i in Initiative.select())

        for m in Metric.select():
            better = m.target > m.baseline if m.direction == "higher_is_better" else m.target < m.baseline
            assert better and m.range_min is not None and m.range_max is not None, m.key
            assert m.range_min <= min(m.baseline, m.target) <= max(m.baseline, m.target) <= m.range_max
        assessed = {a.partner_id for a in PartnerAssessment.select()}
        assert len(assessed) == 5  # one partner never assessed

        check = verify_chain()
        assert check["ok"], check
        assert check["length"] == AuditEvent.select().count() > 100
        database.close()

    assert "40 initiatives over 16/16 grid cells" in out


def test_demo_shows_the_closed_loop(app, demo_loaded):
    """Calibration is visible on the first run: Digital Product realized about half its claims."""
    from cxgov.services import calibration

    with app.app_context():
        product = Team.get(Team.name == "Digital Product")
        support = Team.get(Team.name == "Customer Support")
        factors = calibration.factors_for_teams([product.id, support.id])
        assert factors[product.id]["reviews"] == 3 and 0.7 < factors[product.id]["factor"] < 0.8
        assert factors[support.id]["reviews"] == 1 and 0.99 < factors[support.id]["factor"] < 1.01
        database.close()


def test_demo_prints_and_writes_a_working_token_for_everyone_who_acts(client, demo_loaded):
    """Every board member (a quorum is three of the four), the chair, one team lead per team,
    finance, admin and viewer; the first of each role under the plain role name."""
    out, tokens_file = demo_loaded
    printed = {line.split()[-2]: (line.split()[0], line.split()[-1]) for line in out.splitlines()
               if line.split() and line.split()[0] in demo_data.ROLES_PRINTED}
    exports = {}
    for line in tokens_file.read_text().splitlines():
        if line.startswith("export CXGOV_TOKEN_"):
            name, value = line[len("export "):].split("=", 1)
            exports[name] = value
    assert exports == {var: token for var, (_, token) in printed.items()}
    assert (tokens_file.stat().st_mode & 0o077) == 0
    roles = [role for role, _ in printed.values()]
    assert roles.count("board_member") == 3 and roles.count("board_chair") == 1
    assert roles.count("team_lead") == len(demo_data.TEAMS)
    assert roles.count("admin") == roles.count("finance") == roles.count("viewer") == 1
    assert {"CXGOV_TOKEN_ADMIN", "CXGOV_TOKEN_BOARD_CHAIR", "CXGOV_TOKEN_BOARD_MEMBER", "CXGOV_TOKEN_BOARD_MEMBER_2",
            "CXGOV_TOKEN_BOARD_MEMBER_3", "CXGOV_TOKEN_TEAM_LEAD", "CXGOV_TOKEN_TEAM_LEAD_PRODUCT",
            "CXGOV_TOKEN_FINANCE", "CXGOV_TOKEN_VIEWER"} <= set(exports)
    leads_teams = {client.get("/api/v1/users/me", headers=bearer(token)).get_json()["team_id"]
                   for role, token in printed.values() if role == "team_lead"}
    assert len(leads_teams) == len(demo_data.TEAMS)
    table = {role: token for var, (role, token) in printed.items() if var == f"CXGOV_TOKEN_{role.upper()}"}
    assert set(table) == set(demo_data.ROLES_PRINTED)

    for role, token in printed.values():
        response = client.get("/api/v1/teams", headers=bearer(token))
        assert response.status_code == 200, (role, response.get_json())
        assert len(response.get_json()) == 8

    # The team lead sees their own team's drafts; a viewer sees no drafts at all.
    lead = client.get("/api/v1/initiatives?status=draft&page_size=100", headers=bearer(table["team_lead"]))
    viewer = client.get("/api/v1/initiatives?status=draft&page_size=100", headers=bearer(table["viewer"]))
    assert lead.status_code == viewer.status_code == 200
    assert len(lead.get_json()) >= 1 and viewer.get_json() == []


def test_demo_is_deterministic_data(app, demo_loaded):
    with app.app_context():
        titles = [i.title for i in Initiative.select().order_by(Initiative.id)]
        database.close()
    assert titles == [p["title"] for p in demo_data.PAST_INITIATIVES] + [spec["title"] for spec in demo_data.INITIATIVES]
    # the round funds about a third of what is asked, rounded to 10,000.00: a real choice for the board
    requested = sum(spec["requested_amount"] for spec in demo_data.INITIATIVES if spec["submit"])
    assert demo_data.round_budget() == round(requested / 3 / 1_000_000) * 1_000_000
    assert demo_data.round_budget() % 1_000_000 == 0 and 0 < demo_data.round_budget() < requested


def test_demo_refuses_a_non_empty_database(app, invoke, make_user, tmp_path):
    make_user("viewer")
    tokens_file = tmp_path / "t.env"
    result = invoke("demo", "--tokens-file", str(tokens_file))
    assert result.exit_code != 0
    assert "not empty" in result.output and "1 users" in result.output
    assert not tokens_file.exists()
    with app.app_context():
        assert Team.select().count() == 0 and Initiative.select().count() == 0
        database.close()

    # --if-empty (used by `make run`) turns the refusal into a no-op that succeeds.
    result = invoke("demo", "--if-empty", "--tokens-file", str(tokens_file))
    assert result.exit_code == 0, result.output
    assert "not loading" in result.output and not tokens_file.exists()


def test_demo_twice_refuses_the_second_time(app, invoke, demo_loaded, tmp_path):
    result = invoke("demo", "--tokens-file", str(tmp_path / "again.env"))
    assert result.exit_code != 0 and "not empty" in result.output
    with app.app_context():
        assert Initiative.select().count() == 45
        database.close()


def test_demo_refuses_an_unmigrated_database(invoke, unmigrated, tmp_path):
    result = invoke("demo", "--tokens-file", str(tmp_path / "t.env"))
    assert result.exit_code != 0
    assert "cxgov db upgrade" in result.output


# ---------------------------------------------------------------- serve
@pytest.fixture
def gunicorn_calls(monkeypatch):
    calls = []

    def fake_run(app, bind, workers, threads, timeout=60):
        calls.append({"bind": bind, "workers": workers, "threads": threads, "timeout": timeout,
                      "db_closed": database.is_closed()})

    monkeypatch.setattr(cli_module, "run_server", fake_run)
    return calls


def test_serve_refuses_an_unmigrated_database(invoke, unmigrated, gunicorn_calls):
    result = invoke("serve")
    assert result.exit_code != 0
    assert "cxgov db upgrade" in result.output and "0001_initial" in result.output
    assert gunicorn_calls == []
    assert database.is_closed()


def test_serve_starts_gunicorn_with_no_connection_open(invoke, gunicorn_calls):
    out = _ok(invoke("serve", "--workers", "3", "--bind", "127.0.0.1:8123"))
    assert gunicorn_calls == [{"bind": "127.0.0.1:8123", "workers": 3, "threads": 4, "timeout": 60, "db_closed": True}]
    assert "127.0.0.1:8123" in out
    _ok(invoke("serve", "--threads", "8"))
    assert gunicorn_calls[-1]["threads"] == 8 and gunicorn_calls[-1]["workers"] == 2


def test_serve_runs_waitress_in_gunicorn_workers(monkeypatch, app):
    """What run_server hands gunicorn: the waitress worker class, the bind, workers, threads."""
    from gunicorn.app.base import BaseApplication

    from cxgov import server

    seen = {}

    def fake_run(self):
        self.load_config()
        seen.update({name: self.cfg.settings[name].get() for name in ("bind", "workers", "threads", "worker_class")})
        seen["app"] = self.load()

    monkeypatch.setattr(BaseApplication, "run", fake_run)
    cli_module.run_server(app, "127.0.0.1:8124", 3, 5)
    assert seen == {"bind": ["127.0.0.1:8124"], "workers": 3, "threads": 5, "worker_class": server.WaitressWorker,
                    "app": app}
    assert server.WaitressWorker.max_body == app.config["MAX_CONTENT_LENGTH"]


def test_check_schema_current_is_silent_on_a_current_database(app):
    cli_module.check_schema_current(app)
    assert database.is_closed()


# ---------------------------------------------------------------- Flask's own commands
def test_flask_commands_are_available(invoke):
    assert "/api/v1/teams" in _ok(invoke("routes"))
    assert '"openapi"' in _ok(invoke("openapi", "print"))


def test_redacted_url_hides_the_password():
    assert cli_module.redacted_url("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert cli_module.redacted_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_version_prints_cxgovs_version_and_env_file_is_gone():
    from click.testing import CliRunner

    from cxgov import __version__
    from cxgov.cli import cli

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.startswith(f"cxgov {__version__} ("), result.output
    refused = CliRunner().invoke(cli, ["--env-file", "settings.env", "routes"])
    assert refused.exit_code == 2 and "No such option" in refused.output
    assert "--env-file" not in CliRunner().invoke(cli, ["--help"]).output
