"""Concurrent identical requests on PostgreSQL: database constraints plus retry
decide every race, so there is never a second row and never a 500."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from sharedlinks.models import SharedLink
from sites.models import DomainClaim, Goal, GuestInvitation, Site
from teams.models import Team

THREADS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
]


def together(key: str, count: int, send) -> list:
    """Run `send(client, index)` from `count` threads at once, each with its own
    database connection opened before the start line; return the results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        try:
            connection.ensure_connection()  # connect first, so requests start together
            barrier.wait()
            results[index] = send(client, index)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return results


def race(key: str, method: str, path: str, body: dict, threads: int = THREADS) -> list:
    """Send the same request from `threads` threads at once; return the responses."""
    return together(
        key, threads, lambda client, _: getattr(client, method)(path, body, format="json")
    )


def assert_all_identical_200(responses):
    assert [r.status_code for r in responses] == [200] * len(responses), [
        r.json() for r in responses if r.status_code != 200
    ]
    bodies = [r.json() for r in responses]
    assert all(body == bodies[0] for body in bodies)
    return bodies[0]


# Each race runs a few rounds: one round may not happen to overlap on a busy machine.
ROUNDS = 3


def test_concurrent_goal_upserts_leave_one_goal(site, alice_key):
    for round_ in range(ROUNDS):
        body = {"site_id": "alpha.test", "goal_type": "event", "event_name": f"Signup {round_}"}
        goal = assert_all_identical_200(race(alice_key, "put", "/api/v1/sites/goals", body))
        assert Goal.objects.get(event_name=f"Signup {round_}").pk == goal["id"]


def test_concurrent_shared_link_upserts_leave_one_link(site, alice_key):
    for round_ in range(ROUNDS):
        body = {"site_id": "alpha.test", "name": f"Dashboard {round_}"}
        assert_all_identical_200(race(alice_key, "put", "/api/v1/sites/shared-links", body))
        assert SharedLink.objects.filter(name=f"Dashboard {round_}").count() == 1


def test_concurrent_custom_props_are_added_once(site, alice_key):
    for round_ in range(ROUNDS):
        body = {"site_id": "alpha.test", "property": f"author{round_}"}
        assert_all_identical_200(race(alice_key, "put", "/api/v1/sites/custom-props", body))
    assert Site.objects.get(pk=site.pk).allowed_event_props == ["author2", "author1", "author0"]


def test_concurrent_different_custom_props_are_all_kept(site, alice_key):
    """The row lock serialises read-modify-write: no property is lost."""

    def add(client, index):
        body = {"site_id": "alpha.test", "property": f"p{index}"}
        return client.put("/api/v1/sites/custom-props", body, format="json").status_code

    assert together(alice_key, 10, add) == [200] * 10
    assert sorted(Site.objects.get(pk=site.pk).allowed_event_props) == sorted(
        f"p{n}" for n in range(10)
    )


def test_concurrent_invitations_make_one_invitation_and_one_email(site, alice_key):
    for round_ in range(ROUNDS):
        body = {"site_id": "alpha.test", "email": f"guest{round_}@example.com", "role": "viewer"}
        assert_all_identical_200(race(alice_key, "put", "/api/v1/sites/guests", body))
    assert GuestInvitation.objects.count() == ROUNDS
    assert len(mail.outbox) == ROUNDS


def test_concurrent_reinvitations_after_expiry_make_one_fresh_invitation(site, alice_key):
    for round_ in range(ROUNDS):
        body = {"site_id": "alpha.test", "email": f"late{round_}@example.com", "role": "viewer"}
        assert_all_identical_200(race(alice_key, "put", "/api/v1/sites/guests", body, threads=2))
        GuestInvitation.objects.filter(email=body["email"]).update(
            created_at=timezone.now() - timedelta(hours=49)
        )
        mail.outbox.clear()
        assert_all_identical_200(race(alice_key, "put", "/api/v1/sites/guests", body))
        fresh = GuestInvitation.objects.get(email=body["email"])
        assert timezone.now() - fresh.created_at < timedelta(minutes=5)
        assert len(mail.outbox) == 1


def test_two_concurrent_creates_of_one_domain_give_one_200_and_one_400(alpha, alice_key):
    body = {"domain": "race.test", "team_id": str(alpha.identifier)}
    responses = race(alice_key, "post", "/api/v1/sites", body, threads=2)
    assert sorted(r.status_code for r in responses) == [200, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert refused.json()["error"].startswith("domain: This domain cannot be registered")
    assert Site.objects.filter(domain="race.test").count() == 1
    assert DomainClaim.objects.filter(domain="race.test").count() == 1


def test_many_concurrent_creates_of_one_domain_never_500(alpha, alice_key):
    body = {"domain": "crowd.test", "team_id": str(alpha.identifier)}
    statuses = sorted(r.status_code for r in race(alice_key, "post", "/api/v1/sites", body))
    assert statuses == [200] + [400] * (THREADS - 1)


def test_concurrent_first_sites_share_one_personal_team(alice, alice_key):
    def create(client, index):
        body = {"domain": f"first{index}.test"}
        return client.post("/api/v1/sites", body, format="json").status_code

    assert together(alice_key, 5, create) == [200] * 5
    assert Team.objects.filter(setup_complete=False).count() == 1


def test_the_site_limit_holds_under_concurrency(alpha, alice_key):
    from teams.services import set_team_entitlements

    set_team_entitlements(team=alpha, site_limit=3)

    def create(client, index):
        body = {"domain": f"limited{index}.test", "team_id": str(alpha.identifier)}
        return client.post("/api/v1/sites", body, format="json").status_code

    assert sorted(together(alice_key, 10, create)) == [200] * 3 + [402] * 7
    assert Site.objects.filter(team=alpha).count() == 3


def test_concurrent_renames_to_one_domain_leave_one_owner(alpha, make_site, alice_key):
    make_site(alpha, "one.test")
    make_site(alpha, "two.test")

    def rename(client, index):
        source = ("one.test", "two.test")[index]
        body = {"domain": "target.test"}
        return client.put(f"/api/v1/sites/{source}", body, format="json").status_code

    assert sorted(together(alice_key, 2, rename)) == [200, 400]
    assert Site.objects.filter(domain="target.test").count() == 1
    assert DomainClaim.objects.filter(domain="target.test").count() == 1
