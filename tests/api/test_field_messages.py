"""Every schema's money, date and time fields are of the one class that says how to write them.

The walk covers every marshmallow schema of cxgov.api (request bodies, query strings and
responses, nested ones too): a new field declared ``ma.fields.Integer`` for an amount, or
``ma.fields.DateTime`` for a time, fails here.
"""
import marshmallow as ma
import pytest

from cxgov.api.extensions.fields import MONEY_NAME, IsoDate, Money, UtcDateTime, minor_units_hint

HINT = "integer minor units (cents): 10,000.50 EUR is 1000050"
COMPUTED = (ma.fields.Method, ma.fields.Function)


def cxgov_schemas(app):
    """Every schema class defined in cxgov.api (the app has imported every resource module)."""
    seen, todo = [], [ma.Schema]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("cxgov.api") and sub not in seen:
                seen.append(sub)
    return seen


def leaf_fields(schema_cls):
    """(path, name, bound field) of every field, inside lists, tuples and dict values too."""
    schema = schema_cls()
    for name, field in schema.fields.items():
        todo = [(f"{schema_cls.__name__}.{name}", field)]
        while todo:
            path, current = todo.pop()
            if isinstance(current, ma.fields.List):
                todo.append((path + "[]", current.inner))
            elif isinstance(current, ma.fields.Tuple):
                todo += [(f"{path}[{i}]", f) for i, f in enumerate(current.tuple_fields)]
            elif isinstance(current, ma.fields.Dict) and current.value_field is not None:
                todo.append((path + "{}", current.value_field))
            else:
                yield path, name, current


def wrong_classes(schema_classes):
    problems = []
    for cls in schema_classes:
        for path, name, field in leaf_fields(cls):
            if isinstance(field, ma.fields.DateTime) and not isinstance(field, UtcDateTime):
                problems.append(f"{path}: a time must be UtcDateTime, not {type(field).__name__}")
            elif isinstance(field, ma.fields.Date) and not isinstance(field, IsoDate):
                problems.append(f"{path}: a date must be IsoDate, not {type(field).__name__}")
            elif MONEY_NAME.search(name) and not isinstance(field, (Money, *COMPUTED)):
                problems.append(f"{path}: money must be Money, not {type(field).__name__}")
    return problems


def test_every_money_date_and_time_field_has_the_explaining_class(app):
    schemas = cxgov_schemas(app)
    assert len(schemas) > 60
    assert wrong_classes(schemas) == []
    names = {name for cls in schemas for _, name, field in leaf_fields(cls) if isinstance(field, Money)}
    assert {"requested_amount", "approved_amount", "budget", "amount", "supermajority_above"} <= names


def test_the_walk_catches_a_field_of_the_wrong_class():
    class Careless(ma.Schema):  # not in cxgov.api: only this test sees it
        budget = ma.fields.Integer()
        due = ma.fields.Date()
        at = ma.fields.List(ma.fields.AwareDateTime())
        total_cost = ma.fields.Integer()

    assert sorted(wrong_classes([Careless])) == [
        "Careless.at[]: a time must be UtcDateTime, not AwareDateTime",
        "Careless.budget: money must be Money, not Integer",
        "Careless.due: a date must be IsoDate, not Date",
        "Careless.total_cost: money must be Money, not Integer",
    ]


def _message(field, value):
    with pytest.raises(ma.ValidationError) as caught:
        field.deserialize(value)
    (message,) = caught.value.messages
    return message


def test_every_input_field_says_how_to_write_its_value(app):
    checked = {"money": 0, "date": 0, "time": 0}
    with app.app_context():
        for cls in cxgov_schemas(app):
            for path, name, field in leaf_fields(cls):
                if field.dump_only:
                    continue
                if isinstance(field, Money):
                    for wrong in (10000.50, "10000.50", True):
                        message = _message(field, wrong)
                        assert name in message and HINT in message, (path, message)
                    checked["money"] += 1
                elif isinstance(field, IsoDate):
                    message = _message(field, "30/06/2027")
                    assert name in message and "YYYY-MM-DD" in message, (path, message)
                    checked["date"] += 1
                elif isinstance(field, UtcDateTime):
                    message = _message(field, "30/06/2027 17:00")
                    assert name in message and "ISO 8601" in message, (path, message)
                    checked["time"] += 1
    assert checked["money"] >= 8 and checked["date"] >= 5 and checked["time"] >= 5, checked


def test_an_out_of_range_amount_names_the_range_in_the_currency(app):
    with app.app_context():
        message = _message(Money(), -1)
        assert "from 0 to 10000000000000 (0.00 to 100,000,000,000.00 EUR)" in message and HINT in message


@pytest.mark.parametrize(("currency", "exponent", "hint"), [
    ("EUR", 2, HINT),
    ("JPY", 0, "integer minor units (whole units): 10,000 JPY is 10000"),
    ("KWD", 3, "integer minor units (1/1000 of a unit): 10,000.500 KWD is 10000500"),
])
def test_the_money_hint_follows_the_configured_currency(database_url, currency, exponent, hint):
    from cxgov.app import create_app

    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "CURRENCY": currency,
                      "CURRENCY_EXPONENT": exponent})
    with app.app_context():
        assert minor_units_hint() == hint


def test_times_are_written_in_utc_whatever_they_hold():
    import datetime as dt

    field = UtcDateTime()
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert field.serialize("t", {"t": dt.datetime(2026, 12, 1, 19, 51, 33, tzinfo=plus_two)}) == \
        "2026-12-01T17:51:33+00:00"
    assert field.serialize("t", {"t": dt.datetime(2026, 12, 1, 17, 51, 33)}) == "2026-12-01T17:51:33+00:00"
