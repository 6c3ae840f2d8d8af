"""Plausible merges query string, body and path parameters into one map (path
wins, then body, then query). Every parameter may arrive in any of them."""

from django.http import QueryDict
from rest_framework.exceptions import ParseError

from apikeys import errors


def _flatten(data) -> dict:
    if isinstance(data, QueryDict):
        # A repeated form/query parameter: the last value wins, as in Phoenix.
        return {key: data.getlist(key)[-1] for key in data}
    return dict(data)


def request_params(request, path_kwargs: dict) -> dict:
    params = _flatten(request.query_params)
    body = request.data
    if isinstance(body, QueryDict | dict):
        params.update(_flatten(body))
    elif body not in (None, b"", ""):
        raise ParseError(errors.BODY_NOT_OBJECT)
    params.update(path_kwargs)
    return params


def present(value) -> bool:
    """JSON null and empty strings count as missing (spec §9)."""
    return value is not None and value != ""
