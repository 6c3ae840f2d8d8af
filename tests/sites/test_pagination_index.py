"""Cursor pagination of one team's sites is index-backed: at 10,000 sites (beside
another team's 10,000) the page query walks an index in order (`site_team_id_desc`
or the primary key, as the planner prefers) and never scans or sorts the table, so
a page costs the same at the start and at the end. Timings live in
`benchmarks/site_pagination.py`; this proves the plan."""

import pytest
from django.db import connection

from api.pagination import paginate_by_id_desc
from sites.models import Site
from sites.selectors import sites_visible_to
from teams.models import READ_ROLES, Feature
from teams.services import create_team

pytestmark = pytest.mark.django_db

SITES = 10_000
READABLE = {"roles": READ_ROLES, "feature": Feature.STATS_API}


@pytest.fixture
def big_team(alpha, charlie):
    others = create_team(name="Others", owner=charlie)
    Site.objects.bulk_create(
        [Site(team=alpha if n % 2 else others, domain=f"site{n}.test") for n in range(2 * SITES)],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return alpha


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def test_a_deep_page_uses_the_team_index_without_sorting(big_team, alice):
    middle = Site.objects.filter(team=big_team).order_by("-pk")[SITES // 2].pk
    page_query = (
        sites_visible_to(user=alice, team=big_team, role_in_team="owner", **READABLE)
        .filter(pk__lt=middle)
        .order_by("-pk")[:101]
    )
    plan = plan_of(page_query)
    if connection.vendor == "sqlite":
        assert "USING" in plan and "TEMP B-TREE" not in plan, plan
    else:
        assert "Index" in plan and "Seq Scan" not in plan and "Sort" not in plan, plan


def test_walking_every_page_returns_every_site_once(big_team, alice):
    seen, params = [], {"limit": 100}
    while True:
        page = paginate_by_id_desc(
            sites_visible_to(user=alice, team=big_team, role_in_team="owner", **READABLE), params
        )
        seen.extend(site.pk for site in page.items)
        if page.meta["after"] is None:
            break
        params = {"limit": 100, "after": page.meta["after"]}
    assert len(seen) == SITES == len(set(seen))
    assert seen == sorted(seen, reverse=True)
