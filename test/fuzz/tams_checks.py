"""Schemathesis hooks for `npm run fuzz` (scripts/fuzz.ts): the checks the TAMS API adds.

Loaded through SCHEMATHESIS_HOOKS; enabled by name in test/fuzz/schemathesis.toml.
"""

import ast
import json
import threading
from datetime import datetime

import schemathesis

# CPython 3.11 (seen with 3.11.7; CPython issue gh-106905): ast.parse in two threads at once can
# fail with "SystemError: AST constructor recursion depth mismatch", the module's depth counter
# being shared. Hypothesis parses lambdas' source to describe filtered strategies and schemathesis
# runs operations in parallel threads (workers = 2), so a run broke off with a runtime error for
# one operation. One parse at a time avoids it, at no cost worth measuring.
_parse = ast.parse
_parse_lock = threading.Lock()


def _parse_one_at_a_time(*args, **kwargs):
    with _parse_lock:
        return _parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time

FIELDS = ("type", "summary", "time", "message")


@schemathesis.check
def tams_error_body(ctx, response, case):
    """Every 4xx and 5xx answer, documented or not, is `application/json` (exactly: the house
    rule drops the charset parameter) with the TAMS error body {type, summary, time, message}:
    the spec's error.json fields plus the spec's description of the status as `message`.
    HEAD answers carry no body and are left out."""
    if response.status_code < 400 or case.method.upper() == "HEAD":
        return None
    content_type = ", ".join(response.headers.get("content-type", []))
    if content_type != "application/json":
        raise AssertionError(
            f"{response.status_code} answer with Content-Type {content_type or '(none)'!r}, "
            "not 'application/json'"
        )
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise AssertionError(f"{response.status_code} answer whose body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise AssertionError(f"{response.status_code} answer whose body is not a JSON object")
    missing = [field for field in FIELDS if not isinstance(body.get(field), str) or body[field] == ""]
    if missing:
        raise AssertionError(
            f"{response.status_code} answer without a TAMS error body: {', '.join(missing)} "
            "missing, empty or not a string"
        )
    try:
        datetime.fromisoformat(body["time"])
    except ValueError:
        raise AssertionError(f"error body `time` is not an ISO 8601 date-time: {body['time']!r}") from None
    return None
