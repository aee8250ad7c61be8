"""/api/docs in a real browser with no route out: Swagger UI's files come from the app itself,
and the operations list renders (it was a blank page on a machine without internet)."""
import pytest

from tests.browser.conftest import INTRANET_HOST

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def operation_count(app):
    spec = app.test_client().get("/api/v1/openapi.json").json
    return sum(1 for item in spec["paths"].values() for method in item if method in METHODS)


@pytest.mark.parametrize("host", ["127.0.0.1", INTRANET_HOST])
def test_api_docs_render_every_operation_offline(app, live_server, page, offline, host):
    origin = f"http://{host}:{live_server}"
    offline["origin"] = origin
    crashes = []
    page.on("pageerror", lambda error: crashes.append(str(error)))

    page.goto(origin + "/api/docs", wait_until="load")  # every script and stylesheet has been asked for
    assert offline["attempted"] == [], "the docs page tried to load files from outside the app"
    page.locator(".opblock-summary").first.wait_for(state="visible", timeout=30_000)

    expected = operation_count(app)
    assert expected > 50
    assert page.locator(".opblock").count() == expected
    assert page.locator(".opblock-summary-description", has_text="List initiatives").count() >= 1
    assert page.locator(".info .title").inner_text().startswith("cxgov")
    # nothing tried to leave: no CDN, no online validator badge (which Swagger UI shows on any
    # host but localhost and 127.0.0.1), no fonts
    assert offline["attempted"] == []
    assert crashes == []
