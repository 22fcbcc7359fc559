"""Requests in the shared queue as JSON (scrapy-redis's SCHEDULER_SERIALIZER: a module
with `loads` and `dumps`), never pickle: whoever can write to Redis can send a worker a
request, but not code to run.

scrapy-redis hands `dumps` the dict of `Request.to_dict(spider=...)` (callbacks by
method name) and builds the request back from what `loads` returns. Headers and the
body are bytes: headers travel as Latin-1 text (HTTP's own), the body as base64.
"""

from __future__ import annotations

import base64
import json
from typing import Any

# Marks this format; anything else in the queue (a pickle, another program's JSON) is
# refused by name, never guessed at.
FORMAT = "newsbot-request/1"
# Where the request classes a queued request may name live (FormRequest, JsonRequest...).
REQUEST_CLASSES = ("scrapy.http.",)


class NotARequest(ValueError):
    """Data in the queue that is not a request this serializer wrote."""


def dumps(request: dict[str, Any]) -> bytes:
    data = dict(request)
    data["headers"] = {
        _text(name): [_text(value) for value in values]
        for name, values in (request.get("headers") or {}).items()
    }
    body = request.get("body") or b""
    data["body"] = base64.b64encode(body).decode("ascii")
    # Meta that is not JSON (a browser's PageMethod) raises TypeError: such a request
    # cannot be shared, and saying so beats sending what another worker misreads.
    return json.dumps({"format": FORMAT, "request": data}, separators=(",", ":")).encode()


def loads(data: bytes | str) -> dict[str, Any]:
    try:
        envelope = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise NotARequest(f"not JSON ({error})") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise NotARequest("JSON, but not a newsbot request")
    request = dict(envelope["request"])
    # scrapy-redis imports the class a request names: only Scrapy's own requests.
    if not str(request.get("_class", REQUEST_CLASSES[0])).startswith(REQUEST_CLASSES):
        raise NotARequest(f"a request of class {request['_class']!r}, not one of Scrapy's")
    request["headers"] = {
        name.encode("latin-1"): [value.encode("latin-1") for value in values]
        for name, values in request.get("headers", {}).items()
    }
    request["body"] = base64.b64decode(request.get("body") or "")
    return request


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value
