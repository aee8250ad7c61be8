"""Each request's id: the client's ``X-Request-ID`` when it is a plain token, else a new one.

It is echoed in the response header and in every problem body, and logged with a 500.
"""
import re
import uuid

from flask import g, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def assign_request_id():
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
