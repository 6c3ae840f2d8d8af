"""The 402s (docs/plausible-compat.md#entitlements) on every endpoint: a locked team, no feature,
a site limit; and staff changes in the admin take effect on the next request."""

import pytest

from accounts.services import create_user
from teams.exceptions import FEATURE_MISSING, TEAM_LOCKED
from teams.models import Feature
from teams.services import set_team_entitlements

pytestmark = pytest.mark.django_db

READS = [
    ("get", "/api/v1/sites/alpha.test", None),
    ("get", "/api/v1/sites/goals?site_id=alpha.test", None),
    ("get", "/api/v1/sites/custom-props?site_id=alpha.test", None),
    ("get", "/api/v1/sites/guests?site_id=alpha.test", None),
    ("get", "/api/v1/sites?team_id={team}", None),
    ("get", "/api/v1/sites/teams?team_id={team}", None),
]
WRITES = [
    ("put", "/api/v1/sites/alpha.test", {"domain": "x.test"}),
    ("delete", "/api/v1/sites/alpha.test", None),
    (
        "put",
        "/api/v1/sites/goals",
        {"site_id": "alpha.test", "goal_type": "event", "event_name": "x"},
    ),
    ("delete", "/api/v1/sites/goals/1?site_id=alpha.test", None),
    ("put", "/api/v1/sites/custom-props", {"site_id": "alpha.test", "property": "x"}),
    ("delete", "/api/v1/sites/custom-props/x?site_id=alpha.test", None),
    (
        "put",
        "/api/v1/sites/guests",
        {"site_id": "alpha.test", "email": "g@example.com", "role": "viewer"},
    ),
    ("delete", "/api/v1/sites/guests/g@example.com?site_id=alpha.test", None),
    ("put", "/api/v1/sites/shared-links", {"site_id": "alpha.test", "name": "x"}),
    ("post", "/api/v1/sites", {"domain": "new.test", "team_id": "{team}"}),
]


def call(client, alpha, method, path, body):
    team = str(alpha.identifier)
    path = path.replace("{team}", team)
    if body is not None:
        body = {
            k: (v.replace("{team}", team) if isinstance(v, str) else v) for k, v in body.items()
        }
    return getattr(client, method)(path, body, format="json")


@pytest.mark.parametrize(("method", "path", "body"), READS + WRITES)
def test_a_locked_team_is_402_everywhere(alice_api, alpha, site, method, path, body):
    set_team_entitlements(team=alpha, locked=True)
    response = call(alice_api, alpha, method, path, body)
    assert response.status_code == 402
    assert response.json() == {"error": TEAM_LOCKED}


@pytest.mark.parametrize(("method", "path", "body"), READS)
def test_reads_need_stats_api(alice_api, alpha, site, method, path, body):
    set_team_entitlements(team=alpha, features=[Feature.SITES_API])
    response = call(alice_api, alpha, method, path, body)
    assert response.status_code == 402
    assert response.json() == {"error": FEATURE_MISSING.format(feature="Stats API")}


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_need_sites_api(alice_api, alpha, site, method, path, body):
    set_team_entitlements(team=alpha, features=[Feature.STATS_API])
    response = call(alice_api, alpha, method, path, body)
    assert response.status_code == 402
    assert response.json() == {"error": FEATURE_MISSING.format(feature="Sites API")}


@pytest.mark.parametrize(("method", "path", "body"), READS + WRITES)
def test_with_every_feature_nothing_is_402(alice_api, alpha, site, method, path, body):
    assert call(alice_api, alpha, method, path, body).status_code != 402


def test_staff_changes_in_the_admin_apply_to_the_next_request(client, alice_api, alpha, site):
    staff = create_user(email="ops@example.com", password="ops-password-1", is_superuser=True)
    client.force_login(staff)

    def save(**changes):
        form = {
            "name": "Alpha",
            "setup_complete": "on",
            "features": list(Feature.values),
            "hourly_api_request_limit": "600",
            "burst_request_limit": "100",
            "burst_period_seconds": "60",
            "site_limit": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
        form.update(changes)
        response = client.post(f"/admin/teams/team/{alpha.pk}/change/", form)
        assert response.status_code == 302, response.content.decode()[:2000]

    assert alice_api.get("/api/v1/sites/alpha.test").status_code == 200
    save(locked="on")
    assert alice_api.get("/api/v1/sites/alpha.test").json() == {"error": TEAM_LOCKED}
    save(features=[Feature.STATS_API])
    assert alice_api.get("/api/v1/sites/alpha.test").status_code == 200
    assert (
        alice_api.put("/api/v1/sites/alpha.test", {"domain": "x.test"}, format="json").status_code
        == 402
    )
    save(site_limit="1")
    refused = alice_api.post(
        "/api/v1/sites", {"domain": "n.test", "team_id": str(alpha.identifier)}, format="json"
    )
    assert refused.status_code == 402
    save(burst_request_limit="1")  # this minute's requests already spent it
    assert alice_api.get("/api/v1/sites/alpha.test").status_code == 429
    save(burst_request_limit="100")
    assert alice_api.get("/api/v1/sites/alpha.test").status_code == 200
