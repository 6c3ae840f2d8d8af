"""Staff create sites in the admin through the same service as the API."""

import pytest

from sharedlinks.models import SharedLink
from sites.models import DomainClaim, Site
from teams.services import set_team_entitlements

ADD = "/admin/analytics_sites/site/add/"

pytestmark = pytest.mark.django_db


def test_creating_a_site_in_the_admin_goes_through_the_service(staff_client, alpha):
    response = staff_client.post(
        ADD, {"team": alpha.pk, "domain": "https://www.Admin.test/", "timezone": "Etc/UTC"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    site = Site.objects.get()
    assert site.domain == "admin.test"
    assert DomainClaim.objects.get().domain == "admin.test"
    assert site.tracker_script_configuration.public_id.startswith("pa-")


@pytest.mark.parametrize(
    ("domain", "timezone", "message"),
    [
        ("a&b.test", "Etc/UTC", "must not contain URI reserved characters"),
        ("ok.test", "Mars/Base", "timezone: is invalid"),
    ],
)
def test_bad_input_is_shown_on_the_form(staff_client, alpha, domain, timezone, message):
    response = staff_client.post(ADD, {"team": alpha.pk, "domain": domain, "timezone": timezone})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Site.objects.exists()


def test_the_site_limit_holds_in_the_admin(staff_client, alpha, make_site):
    make_site(alpha, "one.test")
    set_team_entitlements(team=alpha, site_limit=1)
    response = staff_client.post(
        ADD, {"team": alpha.pk, "domain": "two.test", "timezone": "Etc/UTC"}
    )
    assert "limit of 1 sites" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/admin/analytics_sites/site/", ADD, "/admin/sharedlinks/sharedlink/"],
)
def test_pages_render(staff_client, path):
    assert staff_client.get(path).status_code == 200


def test_a_site_change_page_renders_with_its_inlines(staff_client, site):
    SharedLink.objects.create(site=site, name="x")
    assert staff_client.get(f"/admin/analytics_sites/site/{site.pk}/change/").status_code == 200
