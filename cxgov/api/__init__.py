"""The REST API under /api/v1: one package per resource, registered in the order below."""
import datetime as dt

from flask.json.provider import DefaultJSONProvider

from cxgov.api.audit.routes import blp as audit
from cxgov.api.board.routes import blp as board
from cxgov.api.closed_loop.routes import blp as closed_loop
from cxgov.api.docs import register_docs_assets
from cxgov.api.extensions import body
from cxgov.api.extensions.api import Api
from cxgov.api.extensions.query import refuse_unknown_query_parameters
from cxgov.api.initiatives.routes import blp as initiatives
from cxgov.api.metrics.routes import blp as metrics
from cxgov.api.objectives.routes import blp as objectives
from cxgov.api.partners.routes import blp as partners
from cxgov.api.rankings.routes import blp as rankings
from cxgov.api.reports.routes import blp as reports
from cxgov.api.rounds.routes import blp as rounds
from cxgov.api.scoring_models.routes import blp as scoring_models
from cxgov.api.teams.routes import blp as teams
from cxgov.api.tokens.routes import blp as tokens
from cxgov.api.users.routes import blp as users

#: Every resource's blueprint, in registration order (the order of the spec's tags).
BLUEPRINTS = [users, tokens, teams, partners, metrics, objectives, scoring_models, rounds, board, rankings,
              initiatives, reports, closed_loop, audit]


class IsoJSONProvider(DefaultJSONProvider):
    """Dates as YYYY-MM-DD and times as ISO 8601 in UTC wherever a body holds one that no schema
    field formatted (a dict built by hand): Flask's default writes HTTP dates
    ("Tue, 01 Dec 2026 17:51:33 GMT").  Loading refuses a key given twice, as every body does
    (``request.get_json``, if anything calls it, included)."""

    def loads(self, s, **kwargs):
        return body.loads(s)

    @staticmethod
    def default(o):
        if isinstance(o, dt.datetime):
            return (o.astimezone(dt.timezone.utc) if o.tzinfo else o.replace(tzinfo=dt.timezone.utc)).isoformat()
        if isinstance(o, dt.date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def register_api(app):
    app.json = IsoJSONProvider(app)
    api = Api(app)
    for blp in BLUEPRINTS:
        prefix = "/api/v1" + (f"/{blp.url_prefix_name}" if blp.url_prefix_name else "")
        api.register_blueprint(blp, url_prefix=prefix)
    refuse_unknown_query_parameters(app, api)
    register_docs_assets(app)
    return api
