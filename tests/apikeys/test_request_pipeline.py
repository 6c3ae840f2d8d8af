"""Nothing is parsed before the caller is known, and no body is a 500: the key is
checked from the headers before the body is read, and a body nested deeper than
`MAX_JSON_DEPTH` is a 400 in the dialect's own error shape."""

import json

import pytest

from api.parsers import MAX_JSON_DEPTH, TOO_DEEP, BoundedJSONParser
from apikeys import keys
from apikeys.exceptions import INVALID_API_KEY, MISSING_API_KEY
from sites.exceptions import MISSING_SITE_ID

pytestmark = pytest.mark.django_db


def nested(depth: int, innermost: object = None) -> str:
    """JSON text of `depth` nested lists around `innermost`."""
    return "[" * depth + json.dumps(innermost) + "]" * depth


def body_of_depth(depth: int, **fields) -> str:
    """A JSON object carrying `fields`, nesting `depth` levels in all (the object
    itself is the first): the deepest member is `padding`."""
    members = "".join(
        f"{json.dumps(name)}: {json.dumps(value)}, " for name, value in fields.items()
    )
    return "{" + members + '"padding": ' + nested(depth - 1) + "}"


def plausible_refusal(message: str) -> dict:
    return {"error": message}


def resource_refusal(message: str) -> dict:
    return {"error": {"message": message}}


UNKNOWN_KEYS = {
    "malformed": "x" * 64,
    "well-formed but unknown": keys.generate_raw_key(),
}

MALFORMED_BODIES = {
    "not json": "not json",
    "truncated": '{"domain": ',
    "a list": "[1, 2, 3]",
    "too deep": body_of_depth(MAX_JSON_DEPTH + 1, site_id="alpha.test"),
    "100,000 levels": nested(100_000),
    "lone surrogate": '{"site_id": "alpha.test", "domain": "\\ud800"}',
}

# (method, path, error shape): endpoints with and without a site context, both dialects.
BODY_ENDPOINTS = [
    ("post", "/api/v1/sites", plausible_refusal),
    ("put", "/api/v1/sites/goals", plausible_refusal),
    ("put", "/api/v1/sites/alpha.test", plausible_refusal),
    ("put", "/api/v1/sites/shared-links", plausible_refusal),
    ("post", "/api/v1/analytics/sites", resource_refusal),
    ("patch", "/api/v1/analytics/sites/sk_unknown", resource_refusal),
]


def send(client, method: str, path: str, body: str):
    return getattr(client, method)(path, body, content_type="application/json")


class TestNothingIsParsedBeforeTheCallerIsKnown:
    @pytest.mark.parametrize("raw_key", UNKNOWN_KEYS.values(), ids=UNKNOWN_KEYS.keys())
    @pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
    @pytest.mark.parametrize(("method", "path", "shape"), BODY_ENDPOINTS)
    def test_a_malformed_body_with_an_invalid_key_is_the_401_not_a_400(
        self, api, site, raw_key, body, method, path, shape
    ):
        response = send(api.with_key(raw_key), method, path, body)
        assert response.status_code == 401
        assert response.json() == shape(INVALID_API_KEY)

    @pytest.mark.parametrize(("method", "path", "shape"), BODY_ENDPOINTS)
    def test_the_parser_never_runs_for_an_invalid_key(
        self, api, alice_api, site, monkeypatch, method, path, shape
    ):
        calls = []
        original = BoundedJSONParser.parse

        def spy(parser, *args, **kwargs):
            calls.append(path)
            return original(parser, *args, **kwargs)

        monkeypatch.setattr(BoundedJSONParser, "parse", spy)
        body = json.dumps({"site_id": "alpha.test", "domain": "new.test"})
        for raw_key in UNKNOWN_KEYS.values():
            assert send(api.with_key(raw_key), method, path, body).status_code == 401
        assert calls == []
        send(alice_api, method, path, body)  # a valid key: the body is read
        assert calls == [path]

    def test_a_bodyless_request_without_site_id_is_still_the_400_first(self, api):
        """No site_id beats a bogus key, as in Plausible (docs/plausible-compat.md#check-order), and
        telling it needs nothing but the URL and the headers."""
        for raw_key in UNKNOWN_KEYS.values():
            for path in ["/api/v1/sites/goals", "/api/v1/sites/goals?site_id="]:
                response = api.with_key(raw_key).get(path)
                assert response.status_code == 400
                assert response.json() == plausible_refusal(MISSING_SITE_ID)

    def test_a_body_without_site_id_and_an_invalid_key_is_the_401(self, api):
        """Whether the body names the site can only be known by reading it, which
        only a known caller earns."""
        body = json.dumps({"goal_type": "event", "event_name": "Signup"})
        response = send(api.with_key(UNKNOWN_KEYS["malformed"]), "put", "/api/v1/sites/goals", body)
        assert response.status_code == 401
        assert response.json() == plausible_refusal(INVALID_API_KEY)

    def test_a_valid_key_still_gets_the_400_for_a_site_id_missing_from_the_body(self, alice_api):
        body = json.dumps({"goal_type": "event", "event_name": "Signup"})
        response = send(alice_api, "put", "/api/v1/sites/goals", body)
        assert response.status_code == 400
        assert response.json() == plausible_refusal(MISSING_SITE_ID)

    def test_a_site_id_given_only_in_the_body_is_found(self, alice_api, site):
        body = json.dumps({"site_id": "alpha.test", "goal_type": "event", "event_name": "Signup"})
        response = send(alice_api, "put", "/api/v1/sites/goals", body)
        assert response.status_code == 200, response.json()

    def test_the_body_names_the_site_over_the_query_string(self, alice_api, site, alpha, make_site):
        """Plausible's merge order (body over query) holds although only the query
        string's site was fetched with the key."""
        make_site(alpha, "other.test")
        body = json.dumps({"site_id": "other.test", "goal_type": "event", "event_name": "Signup"})
        response = send(alice_api, "put", "/api/v1/sites/goals?site_id=alpha.test", body)
        assert response.status_code == 200
        assert response.json()["domain"] == "other.test"


def valid_body(path: str, depth: int) -> str:
    """A body the endpoint accepts, nesting `depth` levels in all."""
    if path == "/api/v1/sites/goals":
        return body_of_depth(depth, site_id="alpha.test", goal_type="event", event_name="Deep")
    if path == "/api/v1/sites/alpha.test":
        return body_of_depth(depth, domain="renamed.test")
    return body_of_depth(depth, domain="deep.test", name="Deep")


# (method, path template, error shape, success status)
DEPTH_ENDPOINTS = [
    ("post", "/api/v1/sites", plausible_refusal, 200),
    ("put", "/api/v1/sites/goals", plausible_refusal, 200),
    ("put", "/api/v1/sites/alpha.test", plausible_refusal, 200),
    ("post", "/api/v1/analytics/sites", resource_refusal, 201),
    ("patch", "/api/v1/analytics/sites/{site_key}", resource_refusal, 200),
]


class TestDeepBodies:
    @pytest.mark.parametrize(("method", "path", "shape", "ok"), DEPTH_ENDPOINTS)
    def test_a_body_at_the_limit_is_accepted(self, alice_api, site, method, path, shape, ok):
        path = path.format(site_key=site.site_key)
        response = send(alice_api, method, path, valid_body(path, MAX_JSON_DEPTH))
        assert response.status_code == ok, response.json()

    @pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 10_000, 100_000])
    @pytest.mark.parametrize(("method", "path", "shape", "ok"), DEPTH_ENDPOINTS)
    def test_a_body_past_the_limit_is_a_400_in_the_dialects_shape(
        self, alice_api, site, depth, method, path, shape, ok
    ):
        path = path.format(site_key=site.site_key)
        response = send(alice_api, method, path, valid_body(path, depth))
        assert response.status_code == 400
        assert response.json() == shape(TOO_DEEP)

    @pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
    @pytest.mark.parametrize(("method", "path", "shape", "ok"), DEPTH_ENDPOINTS)
    def test_a_deep_body_without_a_valid_key_is_the_401(
        self, api, site, depth, method, path, shape, ok
    ):
        """Without credentials the body is never read, so its depth never shows:
        the answer is the authentication failure, and never a 500."""
        path = path.format(site_key=site.site_key)
        unknown = api.with_key(UNKNOWN_KEYS["well-formed but unknown"])
        for client, message in [(api, MISSING_API_KEY), (unknown, INVALID_API_KEY)]:
            response = send(client, method, path, valid_body(path, depth))
            assert response.status_code == 401
            assert response.json() == shape(message)
