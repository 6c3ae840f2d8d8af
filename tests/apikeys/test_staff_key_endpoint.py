"""POST /api/v2/auth/keys and POST /api/v2/auth/keys/revoke (after Plesk): who may
issue and revoke, what is recorded and logged, JSON only, keys never in URLs.
Sign-in itself (identical refusals, throttling) is in test_staff_sign_in.py."""

import logging

import pytest

from api import errors
from apikeys import keys
from apikeys.exceptions import MISSING_API_KEY
from apikeys.models import ApiKey
from apikeys.serializers import ONE_OF_KEY_OR_PREFIX
from apikeys.services import audit_log
from apikeys.staff_authentication import BAD_CREDENTIALS, CHALLENGE
from apikeys.views import AMBIGUOUS_PREFIX, KEY_NOT_FOUND
from tests.apikeys.staff import KEYS, REVOKE, basic, create_staff, grant

TEAMS = "/api/v1/sites/teams"

pytestmark = pytest.mark.django_db


def issue(api, auth, body=None, **extra):
    return api.post(KEYS, body if body is not None else {}, format="json", **auth, **extra)


def revoke(api, auth, body, **extra):
    return api.post(REVOKE, body, format="json", **auth, **extra)


class RawRecords(logging.Handler):
    """Every record as logged, before any handler's filter could redact it."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@pytest.fixture
def raw_records():
    handler = RawRecords()
    root = logging.getLogger()
    root.handlers.insert(0, handler)  # ahead of the redacting console handler
    previous = audit_log.level
    audit_log.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    audit_log.setLevel(previous)


class TestIssuing:
    def test_staff_issue_a_key_that_works_against_the_api(self, api, staff_auth, alice, alpha):
        response = issue(
            api,
            staff_auth,
            {
                "login": "alice@example.com",
                "description": "panel",
                "team_id": str(alpha.identifier),
            },
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

    def test_the_key_defaults_to_the_caller_and_the_callers_address(self, api, staff, staff_auth):
        response = issue(api, staff_auth, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 201
        raw = response.json()["key"]
        key = ApiKey.objects.get(key_prefix=raw[:6])
        assert key.user == staff
        assert key.team is None
        assert key.allowed_networks == ["198.51.100.7/32"]
        assert api.with_key(raw).get(TEAMS, REMOTE_ADDR="198.51.100.7").status_code == 200
        refused = api.with_key(raw).get(TEAMS, REMOTE_ADDR="198.51.100.8")
        assert refused.status_code == 403

    def test_an_explicit_network_and_scopes_are_honoured(self, api, staff_auth):
        response = issue(api, staff_auth, {"ip": "10.0.0.0/8", "scopes": ["stats:read:*"]})
        key = ApiKey.objects.get(key_prefix=response.json()["key"][:6])
        assert key.allowed_networks == ["10.0.0.0/8"]
        assert key.scopes == ["stats:read:*"]

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
            ({"description": -202}, "description: Must be a string."),
            ({"ip": 10}, "ip: Must be a string."),
            ({"scopes": [7]}, "scopes: 0: Must be a string."),
        ],
    )
    def test_bad_input_is_a_clear_400(self, api, staff_auth, body, fragment):
        response = issue(api, staff_auth, body)
        assert response.status_code == 400
        assert fragment in response.json()["error"]
        assert ApiKey.objects.count() == 0

    def test_a_team_the_user_is_not_in_is_a_400(self, api, staff_auth, charlies_team):
        response = issue(api, staff_auth, {"team_id": str(charlies_team.identifier)})
        assert response.status_code == 400
        assert "is not a member" in response.json()["error"]

    def test_a_malformed_json_body_is_a_400(self, api, staff_auth):
        response = api.post(KEYS, "{nope", content_type="application/json", **staff_auth)
        assert response.status_code == 400
        assert "error" in response.json()

    def test_an_api_key_does_not_authenticate_key_issuance(self, api, alice, issue_key):
        response = api.with_key(issue_key(alice, scopes=["*"])).post(KEYS, {}, format="json")
        assert response.status_code == 401

    def test_basic_auth_is_not_accepted_on_the_sites_api(self, api, staff_auth):
        response = api.get(TEAMS, **staff_auth)
        assert response.status_code == 401
        assert response.json() == {"error": MISSING_API_KEY}


class TestPermissions:
    """Issuing needs apikeys.add_apikey, revoking apikeys.delete_apikey; being staff
    is not enough. Refusals look exactly like a wrong password."""

    def test_a_staff_user_without_key_permission_cannot_issue_a_key(self, api, helpdesk):
        response = issue(api, {"HTTP_AUTHORIZATION": basic(helpdesk.email, "helpdesk-password-1")})
        assert response.status_code == 401
        assert response.json() == {"error": BAD_CREDENTIALS}
        assert ApiKey.objects.count() == 0

    def test_a_staff_user_who_may_only_issue_cannot_revoke(self, api, alice, issue_key):
        create_staff("issuer@example.com", "issuer-password-1", "add_apikey")
        auth = {"HTTP_AUTHORIZATION": basic("issuer@example.com", "issuer-password-1")}
        assert issue(api, auth).status_code == 201
        raw = issue_key(alice)
        response = revoke(api, auth, {"key": raw})
        assert response.status_code == 401
        assert response.json() == {"error": BAD_CREDENTIALS}
        assert ApiKey.objects.get(key_prefix=raw[:6]).revoked_at is None

    def test_a_staff_user_who_may_only_revoke_cannot_issue(self, api, alice, issue_key):
        create_staff("revoker@example.com", "revoker-password-1", "delete_apikey")
        auth = {"HTTP_AUTHORIZATION": basic("revoker@example.com", "revoker-password-1")}
        assert issue(api, auth).status_code == 401
        assert revoke(api, auth, {"key": issue_key(alice)}).json()["revoked"] is True
        assert ApiKey.objects.count() == 1

    def test_the_permission_may_come_from_a_group(self, api, helpdesk):
        from django.contrib.auth.models import Group, Permission

        group = Group.objects.create(name="key issuers")
        group.permissions.add(Permission.objects.get(codename="add_apikey"))
        helpdesk.groups.add(group)
        auth = {"HTTP_AUTHORIZATION": basic(helpdesk.email, "helpdesk-password-1")}
        assert issue(api, auth).status_code == 201

    def test_a_superuser_may_issue_and_revoke(self, api):
        create_staff("root@example.com", "root-password-1", is_superuser=True)
        auth = {"HTTP_AUTHORIZATION": basic("root@example.com", "root-password-1")}
        raw = issue(api, auth).json()["key"]
        assert revoke(api, auth, {"key": raw}).json() == {"revoked": True, "key_prefix": raw[:6]}

    def test_a_permission_without_staff_status_is_not_enough(self, api, alice):
        grant(alice, "add_apikey")
        auth = {"HTTP_AUTHORIZATION": basic("alice@example.com", "alice-password-1")}
        assert issue(api, auth).status_code == 401

    @pytest.mark.parametrize("scopes", [["Bad Scope"], ["sites:**"], ["stats:read:*", "Sites:*"]])
    def test_requested_scopes_are_refused_exactly_as_the_admin_refuses_them(
        self, api, staff_auth, client, alice, scopes
    ):
        """Both interfaces go through apikeys.scopes.validate_scopes."""
        over_http = issue(api, staff_auth, {"scopes": scopes})
        assert over_http.status_code == 400
        root = create_staff("root@example.com", "root-password-1", is_superuser=True)
        client.force_login(root)
        page = client.post(
            "/admin/apikeys/apikey/add/",
            {"user": alice.pk, "name": "k", "scopes_text": ", ".join(scopes), "networks_text": ""},
        )
        assert page.status_code == 200 and "raw_key" not in page.context
        assert over_http.json()["error"] in page.context["adminform"].form.errors["scopes_text"]
        assert ApiKey.objects.count() == 0


class TestIssuerIsRecordedAndLogged:
    def test_every_key_issued_over_http_records_its_issuer(self, api, staff, staff_auth, alice):
        raw = issue(api, staff_auth, {"login": "alice@example.com"}).json()["key"]
        key = ApiKey.objects.get(key_prefix=raw[:6])
        assert (key.user, key.created_by) == (alice, staff)

    @pytest.mark.parametrize("field", ["created_by", "created_by_id", "issuer"])
    def test_the_body_cannot_choose_who_is_recorded_as_issuer(
        self, api, staff, staff_auth, alice, field
    ):
        raw = issue(api, staff_auth, {"login": "alice@example.com", field: alice.pk}).json()["key"]
        assert ApiKey.objects.get(key_prefix=raw[:6]).created_by == staff

    def test_issuing_logs_who_for_whom_what_and_from_where_but_never_the_key(
        self, api, staff_auth, alice, alpha, raw_records
    ):
        response = issue(
            api,
            staff_auth,
            {"login": "alice@example.com", "team_id": str(alpha.identifier)},
            REMOTE_ADDR="198.51.100.7",
        )
        raw = response.json()["key"]
        audit = [r for r in raw_records.records if r.name == "apikeys.audit"]
        assert [r.levelno for r in audit] == [logging.INFO]
        message = audit[0].getMessage()
        for part in (
            f"prefix={raw[:6]}",
            "issuer=ops@example.com",
            "user=alice@example.com",
            f"team={alpha.identifier}",
            "scopes=sites:provision:*",
            "source=198.51.100.7",
        ):
            assert part in message
        assert not any(raw in text or raw[6:] in text for text in raw_records.messages())

    def test_revoking_logs_who_revoked_which_key_from_where(
        self, api, staff_auth, alice, issue_key, raw_records
    ):
        raw = issue_key(alice, scopes=["stats:read:*"])
        revoke(api, staff_auth, {"key": raw}, REMOTE_ADDR="198.51.100.9")
        revoke(api, staff_auth, {"key": raw}, REMOTE_ADDR="198.51.100.9")  # no second line
        audit = [r.getMessage() for r in raw_records.records if r.name == "apikeys.audit"]
        assert len(audit) == 2  # issued by the fixture, revoked once
        assert audit[0].startswith("API key issued:") and "issuer=-" in audit[0]
        assert audit[1].startswith("API key revoked:")
        for part in (
            f"prefix={raw[:6]}",
            "issuer=ops@example.com",
            "user=alice@example.com",
            "team=-",
            "scopes=stats:read:*",
            "source=198.51.100.9",
        ):
            assert part in audit[1]
        assert not any(raw in text for text in raw_records.messages())


class TestRevocation:
    """The key, or its prefix, travels in a JSON body; never in a URL."""

    def test_posting_the_key_revokes_it_at_once(self, api, staff_auth):
        raw = issue(api, staff_auth, {"ip": "0.0.0.0/0"}).json()["key"]
        assert api.with_key(raw).get(TEAMS).status_code == 200
        api.credentials()
        response = revoke(api, staff_auth, {"key": raw})
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert response.json() == {"revoked": True, "key_prefix": raw[:6]}
        assert api.with_key(raw).get(TEAMS).status_code == 401

    def test_revoking_twice_is_harmless_and_says_so(self, api, staff_auth, alice, issue_key):
        raw = issue_key(alice)
        assert revoke(api, staff_auth, {"key": raw}).json()["revoked"] is True
        again = revoke(api, staff_auth, {"key": raw})
        assert again.status_code == 200
        assert again.json() == {"revoked": False, "key_prefix": raw[:6]}

    def test_the_prefix_alone_revokes_a_key(self, api, staff_auth, alice, issue_key):
        raw = issue_key(alice)
        response = revoke(api, staff_auth, {"key_prefix": raw[:6]})
        assert response.json() == {"revoked": True, "key_prefix": raw[:6]}
        assert api.with_key(raw).get(TEAMS).status_code == 401

    def test_a_prefix_shared_by_several_keys_asks_for_the_whole_key(
        self, api, staff_auth, alice, issue_key
    ):
        first, second = issue_key(alice), issue_key(alice)
        ApiKey.objects.filter(key_prefix=second[:6]).update(key_prefix=first[:6])
        response = revoke(api, staff_auth, {"key_prefix": first[:6]})
        assert response.status_code == 409
        assert response.json() == {"error": AMBIGUOUS_PREFIX.format(prefix=first[:6])}
        assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()
        assert revoke(api, staff_auth, {"key": second}).json()["revoked"] is True
        assert api.with_key(first).get(TEAMS).status_code == 200

    @pytest.mark.parametrize(
        "body",
        [
            {"key": "nope"},
            {"key": "A" * 64},
            {"key": keys.generate_raw_key()},
            {"key_prefix": "zzzzzz"},
        ],
    )
    def test_an_unknown_key_is_404(self, api, staff_auth, body):
        response = revoke(api, staff_auth, body)
        assert response.status_code == 404
        assert response.json() == {"error": KEY_NOT_FOUND}

    @pytest.mark.parametrize(
        "body, fragment",
        [
            ({}, ONE_OF_KEY_OR_PREFIX),
            ({"key": "x", "key_prefix": "abcdef"}, ONE_OF_KEY_OR_PREFIX),
            ({"key_prefix": "abc"}, "key_prefix:"),
            ({"key_prefix": "abc\x00ef"}, "key_prefix:"),
            ({"key": ["a"]}, "key:"),
        ],
    )
    def test_the_body_must_name_exactly_one_key(self, api, staff_auth, body, fragment):
        response = revoke(api, staff_auth, body)
        assert response.status_code == 400
        assert fragment in response.json()["error"]

    def test_a_non_staff_user_cannot_revoke(self, api, alice, issue_key):
        raw = issue_key(alice)
        auth = {"HTTP_AUTHORIZATION": basic("alice@example.com", "alice-password-1")}
        response = revoke(api, auth, {"key": raw})
        assert response.status_code == 401
        assert ApiKey.objects.get(key_prefix=raw[:6]).revoked_at is None

    @pytest.mark.parametrize("method", ["delete", "post", "get"])
    def test_the_old_path_with_the_key_in_the_url_is_gone(
        self, api, staff_auth, alice, issue_key, method
    ):
        raw = issue_key(alice)
        response = getattr(api, method)(f"{KEYS}/{raw}", **staff_auth)
        assert response.status_code == 404
        assert response.json() == {"error": errors.UNKNOWN_PATH}
        assert api.with_key(raw).get(TEAMS).status_code == 200


class TestNotACrossSiteTarget:
    """A page on another site cannot make a browser issue or revoke a key: the
    endpoints take JSON only, never challenge with Basic (so a browser has no
    remembered credentials to send) and answer no CORS preflight."""

    @pytest.mark.parametrize(
        "content_type, body",
        [
            ("application/x-www-form-urlencoded", "description=form"),
            ("application/x-www-form-urlencoded", ""),
            ("multipart/form-data; boundary=x", ""),
            ("text/plain", '{"description": "plain"}'),
            ("", ""),
        ],
    )
    def test_a_form_post_cannot_issue_a_key_even_with_an_empty_body(
        self, api, staff_auth, content_type, body
    ):
        response = api.generic("POST", KEYS, body, content_type=content_type, **staff_auth)
        assert response.status_code == 415
        assert set(response.json()) == {"error"}
        assert ApiKey.objects.count() == 0

    def test_a_multipart_body_is_refused_with_415(self, api, staff_auth):
        response = api.post(KEYS, {"description": "x"}, format="multipart", **staff_auth)
        assert response.status_code == 415
        assert set(response.json()) == {"error"}

    def test_a_form_post_cannot_revoke_a_key(self, api, staff_auth, alice, issue_key):
        raw = issue_key(alice)
        response = api.generic(
            "POST",
            REVOKE,
            f"key={raw}",
            content_type="application/x-www-form-urlencoded",
            **staff_auth,
        )
        assert response.status_code == 415
        assert ApiKey.objects.get(key_prefix=raw[:6]).revoked_at is None

    def test_json_with_a_charset_is_json(self, api, staff_auth):
        response = api.generic(
            "POST", KEYS, "{}", content_type="application/json; charset=utf-8", **staff_auth
        )
        assert response.status_code == 201

    @pytest.mark.parametrize(
        "authorization",
        [None, basic("ops@example.com", "wrong"), basic("nobody@example.com", "x"), "Basic !!!"],
    )
    def test_no_answer_challenges_with_basic(self, api, staff, authorization):
        extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
        for response in (issue(api, extra), revoke(api, extra, {"key_prefix": "abcdef"})):
            assert response.status_code == 401
            assert response["WWW-Authenticate"] == CHALLENGE
            for value in response.headers.values():
                assert not value.lower().startswith("basic")

    @pytest.mark.parametrize("path", [KEYS, REVOKE])
    def test_a_cors_preflight_gets_no_allow_origin(self, client, path):
        response = client.options(
            path,
            HTTP_ORIGIN="https://evil.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
        )
        assert "Access-Control-Allow-Origin" not in response
        assert "Access-Control-Allow-Headers" not in response

    def test_a_cross_origin_answer_carries_no_allow_origin(self, api, staff_auth):
        response = issue(api, staff_auth, HTTP_ORIGIN="https://evil.example")
        assert response.status_code == 201
        assert "Access-Control-Allow-Origin" not in response
