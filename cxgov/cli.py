"""The ``cxgov`` command line: a Flask CLI group plus the operator's commands.

Because it is a :class:`flask.cli.FlaskGroup` built on ``create_app``, Flask's own
commands work too (``cxgov run``, ``cxgov routes``, ``cxgov shell``) and so does
flask-smorest's ``cxgov openapi write openapi/openapi.json``.

Every command that touches the database does so inside the app context and
releases its connection(s) before it returns: ``cxgov serve`` in particular must
not hand an open connection to the gunicorn workers it forks.
"""
import os
from urllib.parse import urlsplit, urlunsplit

import click
import peewee
from flask import current_app
from flask.cli import FlaskGroup, pass_script_info

from cxgov.db import database, write_transaction
from cxgov.errors import DomainError


def _create_app():
    from cxgov.app import create_app

    return create_app()


def _print_version(ctx, param, value):
    if not value or ctx.resilient_parsing:
        return
    import platform
    from importlib.metadata import version

    from cxgov import __version__

    click.echo(f"cxgov {__version__} (Python {platform.python_version()}, Flask {version('flask')})")
    ctx.exit()


cli = FlaskGroup(
    name="cxgov",
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,  # configuration is the CXGOV_* environment, never a .env file found in the cwd
    params=[click.Option(["--version"], is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
                         help="Show cxgov's version and exit.")],
    help="cxgov: governance of a customer-experience improvement portfolio.\n\n"
         "The database is CXGOV_DATABASE_URL (default: an SQLite file under instance/).",
)
# Flask's --env-file needs python-dotenv, which cxgov does not install: it failed every time.
# Settings come from the CXGOV_* environment (`set -a; . file; set +a` loads a file of them).
cli.params = [p for p in cli.params if p.name != "env_file"]


# ---------------------------------------------------------------- helpers
def release_connections():
    """Close this process's database connection(s), pooled ones included."""
    db = database.obj
    if db is None:
        return
    if hasattr(db, "close_all"):  # playhouse.pool: close every pooled connection, not just return it
        db.close_all()
    elif not db.is_closed():
        db.close()


def redacted_url(url):
    """The database URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _fail(message):
    raise click.ClickException(message)


# ---------------------------------------------------------------- db
@cli.group("db")
def db_group():
    """Schema migrations (numbered scripts in migrations/)."""


@db_group.command("upgrade")
def db_upgrade():
    """Apply every pending migration."""
    from cxgov.schema_version import upgrade

    from cxgov.services.actor import SYSTEM
    from cxgov.services.scoring_models import DEFAULT_KEY, ensure_default_model

    url = redacted_url(current_app.config["DATABASE_URL"])
    try:
        applied = upgrade(database.obj)
        # reference data, created once (and upgraded as a new version) and logged like any record
        model, created = ensure_default_model(SYSTEM)
    finally:
        release_connections()
    if created and model.version == 1:
        click.echo(f"created the default scoring model {DEFAULT_KEY!r} v{model.version} (id {model.id})")
    elif created:
        click.echo(f"added the default scoring model {DEFAULT_KEY!r} v{model.version} (id {model.id}): "
                   f"rounds pinned to v{model.version - 1} keep it; new rounds use v{model.version}")
    if applied:
        for name in applied:
            click.echo(f"applied {name}")
        click.echo(f"{len(applied)} migration(s) applied to {url}")
    else:
        click.echo(f"{url} is up to date; nothing to apply")


@db_group.command("status")
def db_status():
    """List migrations, applied or pending."""
    from cxgov.schema_version import runner

    url = redacted_url(current_app.config["DATABASE_URL"])
    try:
        rows = runner(database.obj).status()
    finally:
        release_connections()
    click.echo(f"database: {url}")
    pending = 0
    for m in rows:
        if m.path is None:
            state = "applied, file missing"
        elif m.applied:
            state = f"applied {m.applied:%Y-%m-%d %H:%M:%S}"
        else:
            state = "pending"
            pending += 1
        click.echo(f"  {m.name:<40} {state}")
    if pending:
        click.echo(f"{pending} pending: run `cxgov db upgrade`")
    else:
        click.echo("up to date")


@db_group.command("downgrade")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def db_downgrade(yes):
    """Revert every applied migration (drops all cxgov tables and their data)."""
    from cxgov.schema_version import downgrade_all

    url = redacted_url(current_app.config["DATABASE_URL"])
    if not yes:
        click.confirm(f"Revert all migrations on {url}? This deletes every cxgov table and its data",
                      abort=True)
    try:
        reverted = downgrade_all(database.obj)
    finally:
        release_connections()
    for name in reverted:
        click.echo(f"reverted {name}")
    click.echo(f"{len(reverted)} migration(s) reverted on {url}")


# ---------------------------------------------------------------- users
@cli.command("create-admin")
@click.option("--email", required=True, help="The admin's e-mail (unique).")
@click.option("--name", default=None, help="Display name (default: from the e-mail).")
@click.option("--ttl-days", type=click.IntRange(1, 3650), default=None,
              help="Token lifetime in days (default: CXGOV_TOKEN_TTL_DAYS).")
def create_admin(email, name, ttl_days):
    """Create an admin user and print a new API token for it (last line, shown once)."""
    from cxgov.schema_version import pending_migrations
    from cxgov.services.actor import SYSTEM
    from cxgov.services.auth import create_user, issue_token

    if "@" not in email or len(email) > 254:
        _fail(f"{email!r} is not an e-mail address")
    name = name or email.split("@", 1)[0]
    ttl_days = ttl_days or current_app.config["TOKEN_TTL_DAYS"]
    try:
        if pending_migrations(database.obj):
            _fail("the database is not migrated: run `cxgov db upgrade` first")
        try:
            with write_transaction():  # the admin exists only with its token
                user = create_user(SYSTEM, email, name, "admin")
                record, secret = issue_token(SYSTEM, user.id, "cli", ttl_days)
        except peewee.IntegrityError:
            _fail(f"a user with e-mail {email.lower()!r} already exists")
        except DomainError as exc:
            _fail(exc.detail)
    finally:
        release_connections()
    click.echo(f"created admin user {user.id} <{user.email}>")
    click.echo(f"API token {record.prefix}… expires {record.expires_at:%Y-%m-%d}; it is shown once, store it now:")
    click.echo(secret)


# ---------------------------------------------------------------- demo
@cli.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Exit 0 (doing nothing) when the database already holds data, instead of failing.")
@click.option("--tokens-file", type=click.Path(dir_okay=False), default=None,
              help="Where to write the demo tokens as shell exports (default: instance/demo-tokens.env).")
def demo(if_empty, tokens_file):
    """Load the demo dataset into an empty database and print one token per role."""
    from cxgov import demo as demo_data
    from cxgov.schema_version import pending_migrations

    tokens_file = tokens_file or os.path.join(current_app.instance_path, "demo-tokens.env")
    try:
        if pending_migrations(database.obj):
            _fail("the database is not migrated: run `cxgov db upgrade` first")
        existing = demo_data.existing_records()
        if existing:
            what = ", ".join(f"{n} {kind}" for kind, n in existing.items())
            if if_empty:
                click.echo(f"cxgov demo: the database already holds data ({what}); not loading the demo")
                return
            _fail(f"the database is not empty ({what}); `cxgov demo` loads only into an empty database "
                  "(use a fresh CXGOV_DATABASE_URL, or `cxgov db downgrade` then `cxgov db upgrade`)")
        try:
            result = demo_data.load(ttl_days=current_app.config["TOKEN_TTL_DAYS"])
        except DomainError as exc:
            _fail(f"loading the demo failed, nothing was written: {exc.detail} {exc.errors or ''}".rstrip())
    finally:
        release_connections()

    click.echo(demo_data.summary(result, current_app.config["CURRENCY"]))
    click.echo("")
    click.echo(demo_data.token_table(result))
    write_tokens_file(tokens_file, result)
    click.echo("")
    click.echo(f"tokens written to {tokens_file} (use: source {tokens_file})")


def write_tokens_file(path, result):
    from cxgov import demo as demo_data

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(demo_data.tokens_env(result))


# ---------------------------------------------------------------- serve
def check_schema_current(app):
    """Refuse (ClickException) when migrations are pending; leaves no connection open."""
    from cxgov.schema_version import pending_migrations

    with app.app_context():
        try:
            pending = pending_migrations(database.obj)
        except peewee.OperationalError as exc:
            _fail(f"cannot reach the database {redacted_url(app.config['DATABASE_URL'])}: {exc}")
        finally:
            release_connections()
    if pending:
        _fail(f"the database {redacted_url(app.config['DATABASE_URL'])} is not migrated "
              f"(pending: {', '.join(pending)}); run `cxgov db upgrade` first")


def run_server(app, bind, workers, threads, timeout=60):
    """Serve ``app`` in this process (gunicorn forks waitress workers; see cxgov.server)."""
    from cxgov.server import run_server as _run

    _run(app, bind, workers, threads, timeout)


@cli.command("serve", with_appcontext=False)
@click.option("--workers", type=click.IntRange(1, 256), default=2, show_default=True,
              help="Worker processes (gunicorn forks them).")
@click.option("--threads", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Threads per worker that run requests (each request reaches one only once it has fully arrived).")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="host:port to listen on.")
@click.option("--timeout", type=click.IntRange(1, 3600), default=60, show_default=True,
              help="Seconds a worker process may stop answering gunicorn's heartbeat before it is restarted.")
@pass_script_info
def serve(info, workers, threads, bind, timeout):
    """Serve the API (gunicorn processes, waitress HTTP) on the configured database."""
    app = info.load_app()
    check_schema_current(app)
    click.echo(f"cxgov serving {redacted_url(app.config['DATABASE_URL'])} on http://{bind} "
               f"with {workers} worker(s) x {threads} thread(s); API docs at http://{bind}/api/docs")
    run_server(app, bind, workers, threads, timeout)


def main():  # pragma: no cover - `python -m cxgov.cli`
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
