"""/api/docs loads Swagger UI from the app itself (the browser test in tests/browser proves the
page renders with no route out; these checks need no browser)."""
import importlib.metadata
import pathlib
import re

import pytest

from cxgov.api.docs import ASSETS


def test_the_docs_page_loads_only_files_the_app_serves(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(urls) == sorted("/api/docs/assets/" + name for name in ASSETS)
    assert '"validatorUrl": null' in html
    assert "//" not in "".join(urls)


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_each_file_is_served(client, name):
    with client.get("/api/docs/assets/" + name) as response:  # a file response: closed, not left open
        assert response.status_code == 200 and len(response.data) > 1000
        assert response.mimetype == ("text/css" if name.endswith(".css") else "text/javascript")
        assert "max-age=86400" in response.headers["Cache-Control"]
        etag = response.headers["ETag"]
    with client.get("/api/docs/assets/" + name, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


@pytest.mark.parametrize("name", ["index.html", "swagger-initializer.js", "..%2F__init__.py", "nothing.js"])
def test_nothing_else_of_the_bundle_is_served(client, name):
    assert client.get("/api/docs/assets/" + name).status_code == 404


def test_the_installed_bundle_is_the_pinned_one():
    pyproject = (pathlib.Path(__file__).parents[2] / "pyproject.toml").read_text()
    (pinned,) = re.findall(r'"swagger-ui-bundle==([0-9.]+)"', pyproject)
    assert importlib.metadata.version("swagger-ui-bundle") == pinned
