"""POST /api/v2/auth/keys and DELETE /api/v2/auth/keys/<key> (after Plesk)."""

import base64

import pytest

from accounts.services import create_user
from apikeys import errors
from apikeys.models import ApiKey

KEYS = "/api/v2/auth/keys"
TEAMS = "/api/v1/sites/teams"

pytestmark = pytest.mark.django_db


def basic(email: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


@pytest.fixture
def staff(db):
    return create_user(email="ops@example.com", password="ops-password-1", is_staff=True)


@pytest.fixture
def staff_auth(staff):
    return {"HTTP_AUTHORIZATION": basic("ops@example.com", "ops-password-1")}


def test_staff_issue_a_key_that_works_against_the_api(api, staff_auth, alice, alpha):
    response = api.post(
        KEYS,
        {"login": "alice@example.com", "description": "panel", "team_id": str(alpha.identifier)},
        format="json",
        **staff_auth,
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    raw = response.json()["key"]
    assert set(response.json()) == {"key"}
    key = ApiKey.objects.get(key_prefix=raw[:6])
    assert (key.user, key.team, key.name) == (alice, alpha, "panel")
    assert key.scopes == ["sites:provision:*"]
    teams = api.with_key(raw).get(TEAMS)
    assert teams.status_code == 200
    assert teams.json()["teams"][0]["id"] == str(alpha.identifier)


def test_the_key_defaults_to_the_caller_and_the_callers_address(api, staff, staff_auth):
    response = api.post(KEYS, {}, format="json", REMOTE_ADDR="198.51.100.7", **staff_auth)
    assert response.status_code == 201
    raw = response.json()["key"]
    key = ApiKey.objects.get(key_prefix=raw[:6])
    assert key.user == staff
    assert key.team is None
    assert key.allowed_networks == ["198.51.100.7/32"]
    assert api.with_key(raw).get(TEAMS, REMOTE_ADDR="198.51.100.7").status_code == 200
    refused = api.with_key(raw).get(TEAMS, REMOTE_ADDR="198.51.100.8")
    assert refused.status_code == 403


def test_an_explicit_network_and_scopes_are_honoured(api, staff_auth):
    response = api.post(
        KEYS, {"ip": "10.0.0.0/8", "scopes": ["stats:read:*"]}, format="json", **staff_auth
    )
    key = ApiKey.objects.get(key_prefix=response.json()["key"][:6])
    assert key.allowed_networks == ["10.0.0.0/8"]
    assert key.scopes == ["stats:read:*"]


def test_a_form_encoded_body_is_accepted(api, staff_auth):
    response = api.post(
        KEYS, "description=form", content_type="application/x-www-form-urlencoded", **staff_auth
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"login": "nobody@example.com"}, "login: no user"),
        ({"login": "not-an-email"}, "login:"),
        ({"ip": "300.1.1.1"}, "is not an IP address"),
        ({"team_id": "00000000-0000-0000-0000-000000000000"}, "team_id: no team"),
        ({"team_id": "nope"}, "team_id:"),
        ({"scopes": ["Bad Scope"]}, "Invalid scope"),
        ({"scopes": []}, "scopes:"),
        ({"scopes": "sites:*"}, "scopes:"),
        ({"description": "x" * 201}, "description:"),
    ],
)
def test_bad_input_is_a_clear_400(api, staff_auth, body, fragment):
    response = api.post(KEYS, body, format="json", **staff_auth)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert ApiKey.objects.count() == 0


def test_a_team_the_user_is_not_in_is_a_400(api, staff_auth, charlies_team):
    response = api.post(
        KEYS, {"team_id": str(charlies_team.identifier)}, format="json", **staff_auth
    )
    assert response.status_code == 400
    assert "is not a member" in response.json()["error"]


def test_a_malformed_json_body_is_a_400(api, staff_auth):
    response = api.post(KEYS, "{nope", content_type="application/json", **staff_auth)
    assert response.status_code == 400
    assert "error" in response.json()


def test_no_credentials_is_401_with_a_basic_challenge(api):
    response = api.post(KEYS, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert set(response.json()) == {"error"}


def test_a_wrong_password_is_401(api, staff):
    response = api.post(
        KEYS, {}, format="json", HTTP_AUTHORIZATION=basic("ops@example.com", "wrong")
    )
    assert response.status_code == 401


def test_a_non_staff_user_is_403(api, alice):
    response = api.post(
        KEYS, {}, format="json", HTTP_AUTHORIZATION=basic("alice@example.com", "alice-password-1")
    )
    assert response.status_code == 403
    assert ApiKey.objects.count() == 0


def test_an_api_key_does_not_authenticate_key_issuance(api, alice, issue_key):
    response = api.with_key(issue_key(alice, scopes=["*"])).post(KEYS, {}, format="json")
    assert response.status_code == 401


def test_basic_auth_is_not_accepted_on_the_sites_api(api, staff_auth):
    response = api.get(TEAMS, **staff_auth)
    assert response.status_code == 401
    assert response.json() == {"error": errors.MISSING_API_KEY}


class TestRevocation:
    def test_delete_revokes_the_key_at_once(self, api, staff_auth):
        raw = api.post(KEYS, {"ip": "0.0.0.0/0"}, format="json", **staff_auth).json()["key"]
        assert api.with_key(raw).get(TEAMS).status_code == 200
        api.credentials()
        response = api.delete(f"{KEYS}/{raw}", **staff_auth)
        assert response.status_code == 200
        assert response.json() == {"revoked": True, "key_prefix": raw[:6]}
        assert api.with_key(raw).get(TEAMS).status_code == 401

    def test_deleting_twice_is_harmless(self, api, staff_auth):
        raw = api.post(KEYS, {}, format="json", **staff_auth).json()["key"]
        assert api.delete(f"{KEYS}/{raw}", **staff_auth).status_code == 200
        assert api.delete(f"{KEYS}/{raw}", **staff_auth).status_code == 200

    @pytest.mark.parametrize("raw", ["nope", "A" * 64])
    def test_an_unknown_key_is_404(self, api, staff_auth, raw):
        response = api.delete(f"{KEYS}/{raw}", **staff_auth)
        assert response.status_code == 404
        assert response.json() == {"error": "API key not found"}

    def test_a_non_staff_user_cannot_revoke(self, api, staff_auth, alice):
        raw = api.post(KEYS, {}, format="json", **staff_auth).json()["key"]
        response = api.delete(
            f"{KEYS}/{raw}", HTTP_AUTHORIZATION=basic("alice@example.com", "alice-password-1")
        )
        assert response.status_code == 403
        assert ApiKey.objects.get(key_prefix=raw[:6]).revoked_at is None


def test_a_multipart_body_is_refused_with_415(api, staff_auth):
    """Multipart would turn any body into an empty form, issuing a default key."""
    response = api.post(KEYS, {"description": "x"}, format="multipart", **staff_auth)
    assert response.status_code == 415
    assert set(response.json()) == {"error"}
