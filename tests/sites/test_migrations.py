"""Sites that existed before the resource dialect get an id, a key and a name from
the migration, and keep their domain claims; existing domains take their canonical
form, except where two would collide."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("analytics_sites", "0002_claims_tracker_goals_invitations")]
AFTER = [("analytics_sites", "0003_site_keys_names")]


@pytest.mark.django_db(transaction=True)
def test_existing_sites_get_keys_ids_and_names():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Team = old_apps.get_model("teams", "Team")
    Site = old_apps.get_model("analytics_sites", "Site")
    team = Team.objects.create(name="Old")
    for domain in ("one.test", "two.test"):
        Site.objects.create(team=team, domain=domain)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new_apps = executor.loader.project_state(AFTER).apps
    sites = list(new_apps.get_model("analytics_sites", "Site").objects.order_by("domain"))
    assert [site.name for site in sites] == ["one.test", "two.test"]
    assert all(re.fullmatch(r"sk_[a-z0-9]{24}", site.site_key) for site in sites)
    assert len({site.site_key for site in sites}) == 2
    assert len({site.uuid for site in sites}) == 2 and all(site.uuid for site in sites)
    assert not any(site.public_stats for site in sites)


NORMALISED_BEFORE = [("analytics_sites", "0003_site_keys_names")]
NORMALISED_AFTER = [("analytics_sites", "0004_normalise_domains")]


def _old_models():
    executor = MigrationExecutor(connection)
    executor.migrate(NORMALISED_BEFORE)
    old_apps = executor.loader.project_state(NORMALISED_BEFORE).apps
    return (
        old_apps.get_model("teams", "Team"),
        old_apps.get_model("analytics_sites", "Site"),
        old_apps.get_model("analytics_sites", "DomainClaim"),
    )


def _migrate_forwards():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave every app migrated
    new_apps = executor.loader.project_state(NORMALISED_AFTER).apps
    return (
        new_apps.get_model("analytics_sites", "Site"),
        new_apps.get_model("analytics_sites", "DomainClaim"),
    )


def _site(Site, DomainClaim, team, domain, previous=None, number=0):
    site = Site.objects.create(
        team=team,
        domain=domain,
        domain_changed_from=previous,
        domain_changed_at=None if previous is None else "2026-01-01T00:00:00Z",
        name=domain,
        site_key=f"sk_{number:024d}",
    )
    for name in (domain, previous):
        if name:
            DomainClaim.objects.create(site=site, domain=name)
    return site


@pytest.mark.django_db(transaction=True)
def test_existing_domains_previous_domains_and_claims_are_normalised():
    Team, Site, DomainClaim = _old_models()
    team = Team.objects.create(name="Old")
    books = _site(Site, DomainClaim, team, "xn--bcher-kva.example", "Old.Example.", 1)
    plain = _site(Site, DomainClaim, team, "plain.test", None, 2)
    legacy = _site(Site, DomainClaim, team, "xn--zz.test", None, 3)

    Site, DomainClaim = _migrate_forwards()

    books = Site.objects.get(pk=books.pk)
    assert (books.domain, books.domain_changed_from) == ("bücher.example", "old.example")
    assert set(DomainClaim.objects.filter(site=books).values_list("domain", flat=True)) == {
        "bücher.example",
        "old.example",
    }
    assert Site.objects.get(pk=plain.pk).domain == "plain.test"
    assert Site.objects.get(pk=legacy.pk).domain == "xn--zz.test"  # no canonical form
    assert DomainClaim.objects.get(site=legacy.pk).domain == "xn--zz.test"


@pytest.mark.django_db(transaction=True)
def test_two_rows_that_collide_after_normalisation_are_reported_and_left_alone(capsys):
    Team, Site, DomainClaim = _old_models()
    team = Team.objects.create(name="Old")
    ace = _site(Site, DomainClaim, team, "xn--bcher-kva.example", None, 1)
    unicode = _site(Site, DomainClaim, team, "bücher.example", None, 2)
    upper = _site(Site, DomainClaim, team, "moved.test", "Shop.Test", 3)
    lower = _site(Site, DomainClaim, team, "shop.test.", None, 4)
    fine = _site(Site, DomainClaim, team, "Fine.Test", None, 5)

    Site, DomainClaim = _migrate_forwards()

    domains = dict(Site.objects.values_list("pk", "domain"))
    assert domains[ace.pk] == "xn--bcher-kva.example"
    assert domains[unicode.pk] == "bücher.example"
    assert domains[lower.pk] == "shop.test."
    assert Site.objects.get(pk=upper.pk).domain_changed_from == "Shop.Test"
    assert domains[fine.pk] == "fine.test"
    assert set(DomainClaim.objects.values_list("domain", flat=True)) == {
        "xn--bcher-kva.example",
        "bücher.example",
        "moved.test",
        "Shop.Test",
        "shop.test.",
        "fine.test",
    }
    lines = [line for line in capsys.readouterr().out.splitlines() if "collision" in line]
    assert len(lines) == 2
    books, shop = sorted(lines, key=lambda line: "shop" in line)
    assert f"site {ace.pk} domain 'xn--bcher-kva.example'" in books
    assert f"site {unicode.pk} domain 'bücher.example'" in books
    assert f"site {upper.pk} domain_changed_from 'Shop.Test'" in shop
    assert f"site {lower.pk} domain 'shop.test.'" in shop


@pytest.mark.django_db(transaction=True)
def test_a_site_whose_domain_and_previous_domain_become_one_is_reported():
    Team, Site, DomainClaim = _old_models()
    team = Team.objects.create(name="Old")
    site = _site(Site, DomainClaim, team, "bücher.example", "xn--bcher-kva.example", 1)

    Site, DomainClaim = _migrate_forwards()

    site = Site.objects.get(pk=site.pk)
    assert (site.domain, site.domain_changed_from) == ("bücher.example", "xn--bcher-kva.example")
    assert DomainClaim.objects.filter(site=site.pk).count() == 2
