"""The negotiation shortcut (api/negotiation.py) answers exactly what DRF's own
negotiation answers, for the headers it shortcuts and for the rest."""

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.negotiation import JsonFirstNegotiation

factory = APIRequestFactory()
ACCEPT_HEADERS = [
    None,
    "*/*",
    "application/json",
    "application/*",
    "text/html",
    "application/json; indent=4",
    "text/html, application/json;q=0.9",
    "",
]


def choose(negotiation, accept, query="", renderers=(JSONRenderer,)):
    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(factory.get(f"/api/v1/sites{query}", **extra))
    try:
        renderer, media_type = negotiation.select_renderer(request, [r() for r in renderers])
    except NotAcceptable:
        return "406"
    return type(renderer), media_type


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=xml"])
def test_it_answers_what_drf_answers(accept, query):
    try:
        expected = choose(DefaultContentNegotiation(), accept, query)
    except Exception as exc:  # e.g. DRF's 404 for an unknown ?format=
        with pytest.raises(type(exc)):
            choose(JsonFirstNegotiation(), accept, query)
        return
    assert choose(JsonFirstNegotiation(), accept, query) == expected


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
def test_a_view_whose_first_renderer_is_not_json_is_negotiated_in_full(accept):
    renderers = (BrowsableAPIRenderer, JSONRenderer)
    expected = choose(DefaultContentNegotiation(), accept, renderers=renderers)
    assert choose(JsonFirstNegotiation(), accept, renderers=renderers) == expected
