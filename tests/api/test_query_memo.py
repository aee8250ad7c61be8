"""Query strings parsed once per route and string: same answers, own copies, errors every time."""
import marshmallow as ma
from flask import Flask

from cxgov.api.base import QueryMemoParser, Schema


class Args(Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 10))
    tags = ma.fields.List(ma.fields.String(), load_default=list)


def test_same_string_same_answer_own_copy_and_errors_are_not_kept():
    parser, schema, app = QueryMemoParser(), Args(), Flask("t")
    seen = []
    with app.test_request_context("/?page=3&tags=a&tags=b"):
        first = parser.parse(schema, location="query")
        first["tags"].append("mutated")
        second = parser.parse(schema, location="query")
        seen.append(second)
    assert first["page"] == 3 and second == {"page": 3, "tags": ["a", "b"]}
    with app.test_request_context("/?page=4"):
        assert parser.parse(schema, location="query") == {"page": 4, "tags": []}
    for _ in range(2):
        with app.test_request_context("/?page=11"):
            try:
                parser.parse(schema, location="query")
            except Exception as exc:  # webargs aborts with 422
                assert getattr(exc, "code", None) == 422
            else:
                raise AssertionError("page=11 was accepted")
    assert len(parser._parsed) == 2  # the two good strings only


def test_bounded():
    parser, schema, app = QueryMemoParser(), Args(), Flask("t")
    parser.MAX = 3
    for page in range(1, 8):
        with app.test_request_context(f"/?page={page}"):
            assert parser.parse(schema, location="query")["page"] == page
    assert 1 <= len(parser._parsed) <= 3
