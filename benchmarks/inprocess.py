"""The parts of the benchmark that run inside Django (benchmark settings, the
benchmark database): seeding, queries per request, and the authentication timeit.
Each prints one JSON object on stdout.

    python -m benchmarks.inprocess seed SITES | queries SEED_JSON | auth SEED_JSON
"""

import json
import os
import sys
import timeit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks.scenarios import (  # noqa: E402
    DEEP_PAGES,
    PAGE,
    READ_DOMAIN,
    scenario_requests,  # noqa: E402
)


def seed(count: int) -> dict:
    from rest_framework_api_key.models import APIKey

    from accounts.services import create_user
    from api.pagination import encode_cursor
    from apikeys.services import create_api_key
    from sharedlinks.services import find_or_create_shared_link
    from sites.models import DomainClaim, Site
    from sites.services import tracker_configuration_for
    from teams.services import create_team, set_team_entitlements

    user = create_user(email="bench@example.com")
    team = create_team(name="Bench", owner=user)
    # The benchmark measures the cost of checking limits, not of being refused.
    set_team_entitlements(team=team, hourly_api_request_limit=10**9, burst_request_limit=10**9)
    batch = 5000
    for start in range(0, count, batch):
        sites = Site.objects.bulk_create(
            [
                Site(team=team, domain=f"site{n}.bench", name=f"site{n}.bench")
                for n in range(start, min(start + batch, count))
            ]
        )
        DomainClaim.objects.bulk_create([DomainClaim(site=s, domain=s.domain) for s in sites])
    site = Site.objects.select_related("team").get(domain=READ_DOMAIN)
    tracker_configuration_for(site)
    link = find_or_create_shared_link(site=site, name="Bench link")
    ours = create_api_key(user=user, team=team, name="bench", scopes=["sites:provision:*"])
    _, peer_key = APIKey.objects.create_key(name="bench")
    ids = list(
        Site.objects.filter(team=team)
        .order_by("-pk")
        .values_list("pk", flat=True)[: PAGE * DEEP_PAGES]
    )
    deep_cursor = encode_cursor(ids[-1]) if len(ids) == PAGE * DEEP_PAGES else None
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "sites": count,
        "key": ours.raw_key,
        "peer_key": peer_key,
        "read_domain": READ_DOMAIN,
        "link_name": link.name,
        "deep_cursor": deep_cursor,
    }


def count_queries(seed_data: dict) -> dict:
    client = Client()
    counts = {}
    for name, (method, path, body, headers) in scenario_requests(seed_data).items():
        # The third is steady state: last_used_at written, the principal remembered
        # (apikeys.principal_cache takes a key in on its second request).
        for attempt in range(3):
            payload = body
            if body == "fresh":
                payload = {"domain": f"queries-{name}-{attempt}.bench"}
            with CaptureQueriesContext(connection) as captured:
                response = client.generic(
                    method,
                    path,
                    json.dumps(payload) if payload else "",
                    content_type="application/json",
                    **headers,
                )
            assert response.status_code < 400, (name, response.status_code, response.content[:200])
        counts[name] = len(captured.captured_queries)
    return counts


def time_authentication(seed_data: dict, repeat: int = 2000) -> dict:
    """Key parse + lookup + scope check (ours) against djangorestframework-api-key's
    `is_valid` on the same database, best of 5 runs."""
    from rest_framework_api_key.models import APIKey

    from apikeys.scopes import PROVISION_SCOPE, has_scope
    from apikeys.selectors import principal_for_raw_key

    ours_key, peer_key = seed_data["key"], seed_data["peer_key"]

    def ours():
        principal = principal_for_raw_key(ours_key)
        assert (
            principal is not None
            and principal.is_usable
            and has_scope(principal.scopes, PROVISION_SCOPE)
        )

    def peer():
        assert APIKey.objects.is_valid(peer_key)

    with CaptureQueriesContext(connection) as captured:
        ours()
    ours_queries = len(captured.captured_queries)
    result = {}
    for name, function in (("ours", ours), ("peer", peer)):
        best = min(timeit.repeat(function, number=repeat, repeat=5))
        result[f"{name}_us"] = round(best / repeat * 1e6, 1)
    result["ours_queries"] = ours_queries
    result["ratio_ours_to_peer"] = round(result["ours_us"] / result["peer_us"], 3)
    return result


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "seed":
        output = seed(int(sys.argv[2]))
    else:
        data = json.loads(sys.argv[2])
        output = count_queries(data) if command == "queries" else time_authentication(data)
    print(json.dumps(output))
