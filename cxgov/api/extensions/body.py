"""Request bodies: framing, size and JSON, checked once before any view reads them.

- Every body over ``MAX_CONTENT_LENGTH`` is a 413, however it is framed.  Werkzeug refuses a
  too-long Content-Length, but a body without one (``Transfer-Encoding: chunked`` de-chunked
  by the server) is only cut off at the limit by its ``LimitedStream``, silently: so such a
  body is read here, at most limit + 1 bytes, and refused when the extra byte arrives.
- Transfer codings other than ``chunked`` (``gzip, chunked``) are 501, and a
  ``Content-Encoding`` other than ``identity`` is 415: the app decodes neither, and parsing
  compressed bytes as the body would be wrong.
- JSON bodies are parsed with duplicate keys refused (400 naming the key), at every depth.
"""
import io
import json

from flask import request
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import NotImplemented as _NotImplemented
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

_READ_SIZE = 64 * 1024


class DuplicateKey(ValueError):
    """A JSON object names the same key twice."""

    def __init__(self, key):
        super().__init__(f"duplicate key {key!r} in the JSON body")
        self.key = key


def _refuse_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKey(key)
        obj[key] = value
    return obj


def loads(data):
    """``json.loads`` refusing duplicate keys (``DuplicateKey``, a ValueError) at every depth."""
    return json.loads(data, object_pairs_hook=_refuse_duplicates)


def too_large(limit):
    return RequestEntityTooLarge(f"The request body is over the limit of {limit} bytes (CXGOV_MAX_CONTENT_LENGTH).")


def _read_at_most(stream, size):
    chunks, total = [], 0
    while total < size:
        chunk = stream.read(min(_READ_SIZE, size - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def guard_request_body():
    """A ``before_request`` hook, registered before every other one that could read the body."""
    environ = request.environ
    transfer = environ.get("HTTP_TRANSFER_ENCODING", "")
    codings = [c.strip().lower() for c in transfer.split(",") if c.strip()]
    if codings and codings != ["chunked"]:
        raise _NotImplemented(f"Transfer-Encoding {transfer!r} is not supported: send the body with "
                              "a Content-Length or as plain chunked.")
    encoding = environ.get("HTTP_CONTENT_ENCODING", "").strip().lower()
    if encoding and encoding != "identity":
        raise UnsupportedMediaType(f"Content-Encoding {encoding!r} is not decoded here: send the body uncompressed.")
    limit = request.max_content_length
    if limit is None:
        return None
    length = request.content_length
    if length is not None:
        if length > limit:
            raise too_large(limit)
        return None
    if not codings and not environ.get("wsgi.input_terminated"):
        return None  # no Content-Length, not chunked: WSGI says there is no body
    data = _read_at_most(environ["wsgi.input"], limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    # From here on the body is an ordinary one of known length.
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input_terminated"] = False
    return None


class JSONBodyParser(FlaskParser):
    """webargs' Flask parser, with one JSON loader for every body of every endpoint."""

    def _raw_load_json(self, req):
        """Malformed JSON is a 400 however it is malformed: webargs turns a JSONDecodeError into
        one, but nesting deeper than the recursion limit (RecursionError) or an integer literal
        over Python's 4,300 digits (ValueError) escaped as a 500.  A key given twice in one
        object, at any depth, is a 400 naming it (Python's json would keep the last one)."""
        if not is_json_request(req):
            return webargs_core.missing
        try:
            return loads(req.get_data(cache=True).decode("utf-8"))
        except DuplicateKey as exc:
            raise BadRequest(str(exc)) from exc
        except (RecursionError, ValueError) as exc:
            if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
                raise  # webargs' load_json makes these its 400
            return self._handle_invalid_json_error(json.JSONDecodeError(str(exc), "", 0), req)
