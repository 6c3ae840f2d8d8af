"""Sites that existed before the resource dialect get an id, a key and a name from
the migration, and keep their domain claims."""

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
