"""The HTTP plumbing every resource package builds on, one concern a module.

- ``problems``: RFC 9457 problem+json bodies, and which status each error becomes.
- ``api``: flask-smorest's ``Api``, subclassed once: registers the error handlers, documents
  problem+json and the bearer scheme in the spec.
- ``auth``: bearer-token authentication and the acting user (``current_actor``).
- ``blueprint``: flask-smorest's ``Blueprint``, subclassed once: ``login_required``, record
  ETags and If-Match preconditions, ``Idempotency-Key`` headers.
- ``conditional``: conditional GET (a strong ETag, 304 for a matching If-None-Match).
- ``fields``: the schema base and every field class (money, dates, strict numbers, text).
- ``pagination``: peewee pagination and ``?sort=``.
- ``query``: the unknown-query-parameter check.
- ``body``: request-body framing, size and JSON (duplicate keys refused).
- ``request_id``: the X-Request-ID of each request.

Resource modules import from these modules, never from flask_smorest directly.
"""
