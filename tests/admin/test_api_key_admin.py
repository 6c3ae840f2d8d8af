"""Staff issue and revoke keys in the admin: the raw key is shown once, then only
its prefix; the hash is never displayed."""

import pytest

from apikeys import keys
from apikeys.models import ApiKey
from teams.models import Feature, Team

ADD = "/admin/apikeys/apikey/add/"
LIST = "/admin/apikeys/apikey/"

pytestmark = pytest.mark.django_db


def add_key(client, **fields):
    data = {"name": "panel", "scopes_text": "sites:provision:*", "networks_text": ""}
    data.update(fields)
    return client.post(ADD, data)


def test_creating_a_key_shows_the_raw_key_once(staff_client, alice, alpha):
    response = add_key(staff_client, user=alice.pk, team=alpha.pk)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw_key"]
    assert keys.is_well_formed(raw)
    assert raw in response.content.decode()
    stored = ApiKey.objects.get()
    assert (stored.user, stored.team, stored.scopes) == (alice, alpha, ["sites:provision:*"])

    listing = staff_client.get(LIST).content.decode()
    detail = staff_client.get(f"{LIST}{stored.pk}/change/").content.decode()
    for page in (listing, detail):
        assert stored.key_prefix in page
        assert raw not in page
        assert stored.key_hash not in page


def test_invalid_input_re_renders_the_form_without_creating(staff_client, alice, charlies_team):
    response = add_key(staff_client, user=alice.pk, team=charlies_team.pk)
    assert response.status_code == 200
    assert "is not a member of team" in response.content.decode()
    response = add_key(staff_client, user=alice.pk, scopes_text="NOT A SCOPE")
    assert "Invalid scope" in response.content.decode()
    response = add_key(staff_client, user=alice.pk, networks_text="10.0.0.0/99")
    assert "not an IP address" in response.content.decode()
    assert ApiKey.objects.count() == 0


def test_revoking_is_one_action(staff_client, alice, issue_key, api):
    raw = issue_key(alice)
    key = ApiKey.objects.get()
    response = staff_client.post(
        LIST, {"action": "revoke_selected", "_selected_action": [key.pk]}, follow=True
    )
    assert "Revoked 1 API key" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api.with_key(raw).get("/api/v1/sites/teams").status_code == 401


def test_editing_scopes_and_networks(staff_client, alice, issue_key):
    issue_key(alice)
    key = ApiKey.objects.get()
    response = staff_client.post(
        f"{LIST}{key.pk}/change/",
        {"name": "renamed", "scopes_text": "sites:*, stats:read:*", "networks_text": "10.0.0.1"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.name == "renamed"
    assert key.scopes == ["sites:*", "stats:read:*"]
    assert key.allowed_networks == ["10.0.0.1/32"]


def test_team_entitlements_are_edited_in_the_admin(staff_client, alpha):
    response = staff_client.post(
        f"/admin/teams/team/{alpha.pk}/change/",
        {
            "name": "Alpha",
            "setup_complete": "on",
            "features": ["stats_api", "props"],
            "locked": "on",
            "hourly_api_request_limit": "50",
            "burst_request_limit": "5",
            "burst_period_seconds": "10",
            "site_limit": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(pk=alpha.pk)
    assert team.features == [Feature.STATS_API, Feature.PROPS]
    assert team.locked
    assert (team.hourly_api_request_limit, team.burst_request_limit) == (50, 5)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/teams/team/",
        "/admin/teams/team/add/",
        LIST,
        ADD,
        "/admin/analytics_sites/site/",
    ],
)
def test_admin_pages_render(staff_client, path):
    assert staff_client.get(path).status_code == 200


class TestIssuer:
    """Every key records who issued it; the admin shows it and never lets it change."""

    def test_a_key_issued_in_the_admin_records_who_issued_it(self, staff_client, alice):
        add_key(staff_client, user=alice.pk)
        stored = ApiKey.objects.get()
        assert stored.created_by.email == "ops@example.com"
        listing = staff_client.get(LIST).content.decode()
        assert '<td class="field-created_by nowrap">ops@example.com</td>' in listing
        detail = staff_client.get(f"{LIST}{stored.pk}/change/").content.decode()
        assert 'name="created_by"' not in detail
        assert "ops@example.com" in detail

    def test_the_issuer_cannot_be_changed_in_the_admin(self, staff_client, alice, issue_key):
        issue_key(alice)
        key = ApiKey.objects.get()
        response = staff_client.post(
            f"{LIST}{key.pk}/change/",
            {
                "name": "renamed",
                "scopes_text": "stats:read:*",
                "networks_text": "",
                "created_by": alice.pk,
            },
        )
        assert response.status_code == 302
        key.refresh_from_db()
        assert (key.name, key.created_by) == ("renamed", None)

    def test_the_add_form_has_no_issuer_field(self, staff_client, alice):
        assert 'name="created_by"' not in staff_client.get(ADD).content.decode()
        add_key(staff_client, user=alice.pk, created_by=alice.pk)
        assert ApiKey.objects.get().created_by.email == "ops@example.com"

    def test_revoking_in_the_admin_logs_who_revoked(self, staff_client, alice, issue_key, caplog):
        raw = issue_key(alice)
        key = ApiKey.objects.get()
        with caplog.at_level("INFO", logger="apikeys.audit"):
            staff_client.post(LIST, {"action": "revoke_selected", "_selected_action": [key.pk]})
        audit = [r.getMessage() for r in caplog.records if r.name == "apikeys.audit"]
        [line] = [message for message in audit if message.startswith("API key revoked:")]
        assert f"prefix={raw[:6]}" in line and "issuer=ops@example.com" in line
        assert "source=127.0.0.1" in line
