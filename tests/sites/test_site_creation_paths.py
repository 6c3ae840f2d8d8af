"""The two ways into the one site-creation path report problems in their own order:
the API (`provision_site`) checks the caller's role, then the team and its site
limit, then the site's fields, the domain claim and last the tracker
configuration, as Plausible does; the admin and commands (`create_site`) refuse
invalid input before locking anything, and never take back a previous domain in
its grace period."""

import pytest

from sites.exceptions import LimitReached, NotPermitted
from sites.models import Site
from sites.services import CANNOT_ADD_TO_TEAM, create_site, provision_site, update_site
from sites.validation import DOMAIN_TAKEN_MESSAGE, InvalidSiteInput
from teams.exceptions import TeamNotEntitled
from teams.models import Role
from teams.services import set_team_entitlements

pytestmark = pytest.mark.django_db

BAD_TRACKER = {"outbound_links": "perhaps"}
TRACKER_FIELD = "tracker_script_configuration.outbound_links"


def provision(user, team, **kwargs):
    return provision_site(user=user, target_team=team, role_in_target_team=Role.OWNER, **kwargs)


@pytest.fixture
def full_alpha(alpha, make_site):
    make_site(alpha, "first.test")
    set_team_entitlements(team=alpha, site_limit=1)
    return alpha


class TestTheApiPath:
    def test_the_role_is_checked_before_the_site_limit(self, bob, full_alpha):
        with pytest.raises(NotPermitted, match=CANNOT_ADD_TO_TEAM):
            provision_site(
                user=bob, target_team=full_alpha, role_in_target_team=Role.VIEWER, domain="b&c"
            )

    def test_the_site_limit_is_checked_before_the_fields(self, alice, full_alpha):
        with pytest.raises(LimitReached):
            provision(alice, full_alpha, domain="b&c.test", tracker_configuration=BAD_TRACKER)

    def test_the_domain_claim_is_checked_before_the_tracker_configuration(
        self, alice, alpha, make_site
    ):
        make_site(alpha, "taken.test")
        with pytest.raises(InvalidSiteInput) as raised:
            provision(alice, alpha, domain="taken.test", tracker_configuration=BAD_TRACKER)
        assert raised.value.first.message == DOMAIN_TAKEN_MESSAGE

    def test_an_invalid_tracker_configuration_leaves_no_site(self, alice, alpha):
        with pytest.raises(InvalidSiteInput) as raised:
            provision(alice, alpha, domain="new.test", tracker_configuration=BAD_TRACKER)
        assert raised.value.first.field == TRACKER_FIELD
        assert not Site.objects.filter(domain="new.test").exists()

    def test_an_owner_takes_back_a_previous_domain_into_its_team(self, alice, alpha, make_site):
        update_site(site=make_site(alpha, "old.test"), domain="renamed.test")
        assert provision(alice, alpha, domain="old.test").team == alpha


class TestTheAdminPath:
    def test_invalid_fields_are_refused_before_the_site_limit(self, full_alpha):
        with pytest.raises(InvalidSiteInput) as raised:
            create_site(team=full_alpha, domain="b&c.test")
        assert raised.value.first.field == "domain"

    def test_an_invalid_tracker_configuration_is_refused_before_the_site_limit(self, full_alpha):
        with pytest.raises(InvalidSiteInput) as raised:
            create_site(team=full_alpha, domain="new.test", tracker_configuration=BAD_TRACKER)
        assert raised.value.first.field == TRACKER_FIELD

    def test_an_invalid_tracker_configuration_is_refused_before_the_domain_claim(
        self, alpha, make_site
    ):
        make_site(alpha, "taken.test")
        with pytest.raises(InvalidSiteInput) as raised:
            create_site(team=alpha, domain="taken.test", tracker_configuration=BAD_TRACKER)
        assert raised.value.first.field == TRACKER_FIELD

    def test_invalid_fields_are_refused_before_the_team_lock(self, alpha):
        set_team_entitlements(team=alpha, locked=True)
        with pytest.raises(InvalidSiteInput):
            create_site(team=alpha, domain="")
        with pytest.raises(TeamNotEntitled):
            create_site(team=alpha, domain="fine.test")

    def test_the_site_limit_holds(self, full_alpha):
        with pytest.raises(LimitReached):
            create_site(team=full_alpha, domain="second.test")

    def test_a_previous_domain_in_its_grace_period_is_not_taken_back(self, alpha, make_site):
        update_site(site=make_site(alpha, "old.test"), domain="renamed.test")
        with pytest.raises(InvalidSiteInput) as raised:
            create_site(team=alpha, domain="old.test")
        assert raised.value.first.message == DOMAIN_TAKEN_MESSAGE

    def test_a_site_is_named_after_its_domain_and_claims_it(self, alpha):
        site = create_site(team=alpha, domain="https://www.New.test/")
        assert (site.domain, site.name) == ("new.test", "new.test")
        assert list(site.domain_claims.values_list("domain", flat=True)) == ["new.test"]
        assert site.tracker_script_configuration.pk is not None
