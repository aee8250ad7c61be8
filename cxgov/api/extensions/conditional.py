"""HTTP conditional GET: a strong ETag on a response, and 304 when ``If-None-Match`` names it.

For responses that are expensive to send again and that a client polls (ranking pages and
CSV, reports).  The tag is a hash of the response bytes, or of what identifies them when they
cannot change (an immutable ranking snapshot's id and page).  A 304 carries the ETag and no
body.  Only GET and HEAD are answered 304; other methods just carry the tag.
"""
import hashlib

from flask import Response, request


def tag_of(*parts):
    """A strong entity tag for ``parts`` (bytes, or values written with ``repr``)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def conditional(response, etag=None):
    """``response`` with ``ETag`` set (``etag``, else a hash of its bytes), or a bodiless 304
    when the request's ``If-None-Match`` matches it.  Given ``etag``, ``response`` may be a
    callable that builds it, called only when the answer is not a 304."""
    if etag is None:
        etag = tag_of(response.get_data())
    if request.method in {"GET", "HEAD"} and request.if_none_match.contains_weak(etag):
        not_modified = Response(status=304)
        not_modified.set_etag(etag)
        return not_modified
    if callable(response) and not isinstance(response, Response):
        response = response()
    response.set_etag(etag)
    return response
