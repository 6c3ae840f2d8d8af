"""Random byte strings as API keys, domains and cursors never produce a 500."""

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def as_text(raw: bytes) -> str:
    # How a server sees arbitrary bytes in a header or URL: latin-1, one char each.
    return raw.decode("latin-1")


def assert_clean(response):
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and isinstance(body["error"], str)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_random_keys(api, site, raw):
    text = as_text(raw).replace("\r", "").replace("\n", "")
    assert_clean(api.get("/api/v1/sites/teams", HTTP_AUTHORIZATION=f"Bearer {text}"))
    assert_clean(api.get("/api/v1/sites/alpha.test", HTTP_X_API_KEY=text))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_random_domains(alice_api, site, raw):
    text = as_text(raw)
    assert_clean(alice_api.get(f"/api/v1/sites/{quote(text, safe='')}"))
    assert_clean(
        alice_api.post(
            "/api/v1/sites", json.dumps({"domain": text}), content_type="application/json"
        )
    )
    for body in (raw, raw.decode("utf-8", "surrogateescape").encode("utf-8", "surrogatepass")):
        assert_clean(
            alice_api.put("/api/v1/sites/alpha.test", body, content_type="application/json")
        )


@FUZZ
@given(raw=st.binary(max_size=200), name=st.sampled_from(["after", "before", "limit"]))
def test_random_cursors(alice_api, site, raw, name):
    value = quote(as_text(raw), safe="")
    for path in (
        "/api/v1/sites",
        "/api/v1/sites/teams",
        "/api/v1/sites/goals",
        "/api/v1/sites/guests",
    ):
        assert_clean(alice_api.get(f"{path}?site_id=alpha.test&{name}={value}"))
