"""On PostgreSQL the per-request key and site lookup is a prepared statement
(settings: DATABASE_PREPARED_STATEMENTS), so the server plans it once per
connection instead of on every request."""

import pytest
from django.db import connection

from apikeys.selectors import principal_for_raw_key
from sites.selectors import SiteLookup

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
    ),
]


def prepared_key_lookups() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%key_hash%"],
        )
        return cursor.fetchone()[0]


def test_the_key_and_site_lookup_is_prepared_after_a_few_uses(alice, alpha, site, issue_key):
    raw_key = issue_key(alice, team=alpha)
    lookup = SiteLookup("domain", "alpha.test")
    before = prepared_key_lookups()
    for _ in range(7):
        principal = principal_for_raw_key(raw_key, joined=lookup)
        assert principal.read_with_key.value == site
    assert prepared_key_lookups() == before + 1
