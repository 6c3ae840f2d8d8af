"""Setup shared by the Sites API tests, after upstream's: `alice` calls with a
legacy `sites:provision:*` key; she owns team Alpha (every feature on); `charlie`
owns an unrelated team; `bob` is a viewer in Alpha."""

import pytest

from sites.models import GuestMembership
from teams.models import Role
from teams.services import add_member, create_team, set_team_entitlements

PROVISION = ["sites:provision:*"]
READ_ONLY = ["stats:read:*"]


@pytest.fixture
def alice_key(alice, issue_key):
    return issue_key(alice, scopes=PROVISION)


@pytest.fixture
def alice_api(api, alice_key):
    return api.with_key(alice_key)


@pytest.fixture
def site(alpha, make_site):
    return make_site(alpha, "alpha.test")


@pytest.fixture
def charlies_site(charlies_team, make_site):
    return make_site(charlies_team, "charlie.test")


@pytest.fixture
def beta(alice, charlie):
    """Another team of Alice's, where she is an admin."""
    team = create_team(name="Beta", owner=charlie)
    add_member(team=team, user=alice, role=Role.ADMIN)
    return team


@pytest.fixture
def make_guest():
    def make(site, user, role="viewer"):
        return GuestMembership.objects.create(site=site, user=user, role=role)

    return make


@pytest.fixture
def entitle():
    def entitle(team, *features):
        return set_team_entitlements(team=team, features=list(features))

    return entitle


@pytest.fixture
def renamed_site(site, alice_api):
    """alpha.test renamed to renamed.test: both names resolve for 72 hours."""
    response = alice_api.put("/api/v1/sites/alpha.test", {"domain": "renamed.test"}, format="json")
    assert response.status_code == 200, response.json()
    site.refresh_from_db()
    return site
