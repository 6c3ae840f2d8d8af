"""No input produces a 500: every malformed value gets a 4xx `{"error": "..."}`."""

import json
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db

GARBAGE_VALUES = [
    None,
    "",
    " ",
    "\x00",
    "x" * 5000,
    -1,
    2**70,
    1.5,
    True,
    [],
    ["a", {"b": None}],
    {},
    {"nested": {"deep": [1, 2, 3]}},
    "😀" * 100,
    "%00%ff",
    "../../etc/passwd",
    "\ud800",  # a lone surrogate: valid JSON, not encodable text
    "長" * 1990,  # within length limits, far beyond PostgreSQL's index row limit
    "'; DROP TABLE sites; --",
]

ENDPOINTS = [
    ("get", "/api/v1/sites", ["team_id", "limit", "after", "before"]),
    ("post", "/api/v1/sites", ["domain", "timezone", "team_id", "tracker_script_configuration"]),
    ("get", "/api/v1/sites/teams", ["limit", "after", "before", "team_id"]),
    ("get", "/api/v1/sites/goals", ["site_id", "limit", "after", "before"]),
    (
        "put",
        "/api/v1/sites/goals",
        [
            "goal_type",
            "event_name",
            "page_path",
            "display_name",
            "custom_props",
            "scroll_threshold",
            "currency",
        ],
    ),
    ("get", "/api/v1/sites/custom-props", ["site_id"]),
    ("put", "/api/v1/sites/custom-props", ["property"]),
    ("get", "/api/v1/sites/guests", ["site_id", "limit", "after", "before"]),
    ("put", "/api/v1/sites/guests", ["email", "role"]),
    ("put", "/api/v1/sites/shared-links", ["name"]),
    ("get", "/api/v1/sites/alpha.test", ["site_id"]),
    ("put", "/api/v1/sites/alpha.test", ["domain", "tracker_script_configuration"]),
]

VALID = {
    "site_id": "alpha.test",
    "goal_type": "event",
    "event_name": "Signup",
    "email": "someone@example.com",
    "role": "viewer",
    "name": "Link",
    "property": "author",
    "domain": "fresh.test",
}


def assert_clean_error_or_success(response):
    assert response.status_code < 500, response.content[:500]
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize(
    ("method", "path", "fields"), ENDPOINTS, ids=lambda v: v if isinstance(v, str) else None
)
def test_every_field_survives_garbage_in_a_json_body(alice_api, site, method, path, fields):
    for field in fields:
        for value in GARBAGE_VALUES:
            body = {**VALID, field: value}
            response = alice_api.generic(
                method.upper(), path, json.dumps(body), content_type="application/json"
            )
            assert_clean_error_or_success(response)


@pytest.mark.parametrize(
    ("method", "path", "fields"), ENDPOINTS, ids=lambda v: v if isinstance(v, str) else None
)
def test_every_field_survives_garbage_in_the_query_string(alice_api, site, method, path, fields):
    for field in fields:
        for value in ["", "\x00", "x" * 3000, "[", "-5", "1e9", "😀"]:
            query = urlencode({**VALID, field: value})
            response = getattr(alice_api, method)(f"{path}?{query}")
            assert_clean_error_or_success(response)
        for raw in [f"{field}[a][b][c][d][e][f]=1", f"{field}=%zz", f"{field}[]=1&{field}[x]=2"]:
            response = getattr(alice_api, method)(f"{path}?site_id=alpha.test&{raw}")
            assert_clean_error_or_success(response)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2, 3]",
        '"a string"',
        "null",
        '{"domain": ',
        '{"site_id": "alpha.test", "domain": "\\ud800"}',
    ],
)
@pytest.mark.parametrize(
    "path", ["/api/v1/sites", "/api/v1/sites/goals", "/api/v1/sites/alpha.test"]
)
def test_malformed_json_bodies_are_400(alice_api, site, body, path):
    method = alice_api.post if path == "/api/v1/sites" else alice_api.put
    response = method(path, body, content_type="application/json")
    assert_clean_error_or_success(response)
    assert response.status_code == 400 or response.status_code == 200


@pytest.mark.parametrize(
    "form",
    [
        "a[b][c][d][e][f][g]=1",
        "tracker_script_configuration[]=x",
        "[]=1",
        "custom_props[a][]=1",
        "domain[]=a.test",
    ],
)
def test_odd_form_names_are_clean_errors(alice_api, site, form):
    response = alice_api.put(
        "/api/v1/sites/goals",
        f"site_id=alpha.test&goal_type=event&event_name=x&{form}",
        content_type="application/x-www-form-urlencoded",
    )
    assert_clean_error_or_success(response)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sites/goals/abc",
        "/api/v1/sites/goals/%00",
        "/api/v1/sites/custom-props/%00",
        "/api/v1/sites/guests/%00",
        "/api/v1/sites/" + "a" * 3000,
    ],
)
def test_garbage_path_segments_are_clean(alice_api, site, path):
    for method in ("get", "put", "delete"):
        response = getattr(alice_api, method)(f"{path}?site_id=alpha.test")
        assert_clean_error_or_success(response)


def test_a_repeated_parameter_is_refused_not_guessed(alice_api, site):
    response = alice_api.get("/api/v1/sites?limit=5&limit=7")
    assert response.status_code == 400
    assert response.json() == {"error": "Parameter `limit` is given more than once"}
    listed = alice_api.put(
        "/api/v1/sites/custom-props",
        "site_id=alpha.test&property[]=a&property[]=b",
        content_type="application/x-www-form-urlencoded",
    )
    assert listed.status_code == 200
