"""cxgov/api/extensions: query strings parsed (own copies, errors every time); which database
errors count as a lost connection."""
import marshmallow as ma
import pytest
from flask import Flask
from werkzeug.exceptions import HTTPException

from cxgov.api.extensions.body import JSONBodyParser
from cxgov.api.extensions.fields import Schema


class Args(Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 10))
    tags = ma.fields.List(ma.fields.String(), load_default=list)


def test_query_strings_parse_to_their_own_values_and_bad_ones_are_refused_every_time():
    parser, schema, app = JSONBodyParser(), Args(), Flask("t")
    with app.test_request_context("/?page=3&tags=a&tags=b"):
        first = parser.parse(schema, location="query")
        first["tags"].append("mutated")
        second = parser.parse(schema, location="query")
    assert first["page"] == 3 and second == {"page": 3, "tags": ["a", "b"]}
    with app.test_request_context("/?page=4"):
        assert parser.parse(schema, location="query") == {"page": 4, "tags": []}
    for _ in range(2):
        with app.test_request_context("/?page=11"), pytest.raises(HTTPException) as refused:
            parser.parse(schema, location="query")
        assert refused.value.code == 422


def test_only_a_lost_connection_is_a_503_not_every_interface_error():
    """A broken connection is retryable (503); a programming error that the driver reports
    as an InterfaceError is not, and stays a logged 500."""
    import peewee

    from cxgov.api.extensions.problems import is_connection_lost

    assert is_connection_lost(peewee.OperationalError("server closed the connection unexpectedly"))
    assert is_connection_lost(peewee.InterfaceError("connection already closed"))
    assert is_connection_lost(peewee.OperationalError("FATAL: terminating connection due to administrator command"))
    assert not is_connection_lost(peewee.InterfaceError("Error binding parameter 0 - probably unsupported type."))
    assert not is_connection_lost(peewee.OperationalError("no such table: team"))
