"""Swagger UI at /api/docs, its files served by the app from the installed ``swagger-ui-bundle``
package: the page works on a network with no route out (a CDN made it a blank page there)."""
import mimetypes

from flask import Response, abort, request

ASSETS_URL = "/api/docs/assets/"
#: The files flask-smorest's Swagger UI page loads; nothing else of the bundle is served (its
#: index.html and initializer would load the Petstore example from the internet).
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"})
#: Swagger UI's online validator badge would send the spec's address to validator.swagger.io
#: (from any host but localhost) if the page were switched to the standalone layout: off.
SWAGGER_UI_CONFIG = {"validatorUrl": None}


def register_docs_assets(app):
    @app.get(ASSETS_URL + "<string:filename>")
    def swagger_ui_asset(filename):
        if filename not in ASSETS:
            abort(404)
        from swagger_ui_bundle import swagger_ui_path

        # bytes, not a file stream: nothing is left open when a client reads only the status
        response = Response((swagger_ui_path / filename).read_bytes(), mimetype=mimetypes.guess_type(filename)[0])
        response.cache_control.public = True
        response.cache_control.max_age = 86400
        response.add_etag()
        return response.make_conditional(request)
