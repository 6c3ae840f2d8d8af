"""Plausible merges query string, body and path parameters into one map (path
wins, then body, then query). Every parameter may arrive in any of them."""

import re

from django.http import QueryDict
from rest_framework.exceptions import ParseError

from api import errors

_BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")
MAX_NESTING = 4


def _nest(params: dict, key: str, values: list[str]) -> None:
    """Phoenix-style nested names: `a[b]=1` is {"a": {"b": "1"}} and `a[]=1&a[]=2`
    is {"a": ["1", "2"]}, so form-encoded clients can send objects and lists."""
    match = _BRACKETS.match(key)
    if match is None:
        if len(values) > 1:
            # Ambiguous: refused rather than guessed (`a[]=1&a[]=2` makes a list).
            raise ParseError(f"Parameter `{key}` is given more than once")
        params[key] = values[0]
        return
    path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
    if len(path) > MAX_NESTING + 1:
        raise ParseError(f"Parameter `{path[0]}` is nested too deeply")
    target = params
    for name in path[:-2]:
        if not name:
            raise ParseError(f"Parameter `{path[0]}` has an empty name inside brackets")
        child = target.get(name)
        if not isinstance(child, dict):
            child = target[name] = {}
        target = child
    parent, last = path[-2], path[-1]
    if not parent:
        raise ParseError(f"Parameter `{path[0]}` has an empty name inside brackets")
    if last == "":
        existing = target.get(parent)
        target[parent] = [*(existing if isinstance(existing, list) else []), *values]
    else:
        child = target.get(parent)
        if not isinstance(child, dict):
            child = target[parent] = {}
        child[last] = values[-1]


def _flatten(data) -> dict:
    if isinstance(data, QueryDict):
        params: dict = {}
        for key in data:
            _nest(params, key, data.getlist(key))
        return params
    return dict(data)


def _unstorable_text(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unstorable(value) -> bool:
    """Text no database column can hold: NUL (PostgreSQL refuses it) or a lone
    surrogate, which JSON can spell (`"\\ud800"`) but UTF-8 cannot encode.

    Walks with an explicit stack rather than recursion: the value may come from
    a body nested as deep as a parser allows, and must not exhaust Python's."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _unstorable_text(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def request_params(request, path_kwargs: dict) -> dict:
    """Every parameter of the request. Reads (parses) the body: call it only once
    the caller is authenticated."""
    params = _flatten(request.query_params)
    # No body (most reads): nothing for DRF's parsers to do.
    body = request.data if has_body(request) else None
    if isinstance(body, QueryDict | dict):
        params.update(_flatten(body))
    elif body not in (None, b"", ""):
        raise ParseError(errors.BODY_NOT_OBJECT)
    params.update(path_kwargs)
    # One check here covers every parameter of every endpoint.
    if _unstorable(params):
        raise ParseError(errors.NUL_IN_PARAMETERS)
    return params


def has_body(request) -> bool:
    """Whether the request carries a body, judged from its headers alone."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if request.META.get("HTTP_TRANSFER_ENCODING"):
        return True
    return not (length.isdigit() and int(length) == 0)


def present(value) -> bool:
    """JSON null and empty strings count as missing (docs/plausible-compat.md#parameters)."""
    return value is not None and value != ""
