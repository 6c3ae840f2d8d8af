"""The principal cache (apikeys.principal_cache): a warm key costs no query to
authenticate, and nothing it remembers outlives a change to the key, its user,
their membership or the key's team. On a real Redis (the stamps live there),
through the real request pipeline."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from api.ratelimit import RedisRateLimiter, rate_limiter, set_rate_limiter
from apikeys.models import ApiKey
from apikeys.principal_cache import principal_cache
from apikeys.services import revoke_api_key
from apikeys.stamps import NOT_RETIRED_MESSAGE, StampsNotRetired, team_stamp, user_stamp
from sites.models import Site
from teams.models import Feature, Membership, Role
from teams.services import add_member, set_team_entitlements
from tests.apikeys.staff import REVOKE, basic, create_staff
from tests.conftest import TRANSACTION_CONTROL
from tests.ratelimit_fixtures import redis_client

pytestmark = pytest.mark.django_db

READ = "/api/v1/sites/alpha.test"
LIST = "/api/v1/sites"


@pytest.fixture
def redis_limiter(redis_prefix):
    limiter = RedisRateLimiter(redis_client(), prefix=redis_prefix)
    set_rate_limiter(limiter)
    return limiter


@pytest.fixture
def team_key(alice, alpha, issue_key):
    return issue_key(alice, team=alpha, scopes=["sites:provision:*"])


@pytest.fixture
def team_api(api, team_key, site, redis_limiter):
    return api.with_key(team_key)


@pytest.fixture
def warm_api(team_api):
    """A team key whose principal is remembered (its third request)."""
    for _ in range(3):
        assert team_api.get(READ).status_code == 200
    return team_api


def statements(captured) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]


def key_queries(sqls: list[str]) -> list[str]:
    """The reads of the key (not the once-a-minute write of `last_used_at`)."""
    table = ApiKey._meta.db_table
    return [sql for sql in sqls if table in sql and sql.upper().startswith("SELECT")]


def get(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response, statements(captured)


class TestWarmKeysCostNoQuery:
    def test_a_key_is_read_from_the_database_twice_then_remembered(self, team_api):
        reads = [key_queries(get(team_api, READ)[1]) for _ in range(4)]
        assert [len(r) for r in reads] == [1, 1, 0, 0]

    def test_a_warm_read_is_the_site_query_alone(self, warm_api):
        response, sqls = get(warm_api, READ)
        assert response.status_code == 200
        assert len(sqls) == 1, sqls
        assert ApiKey._meta.db_table not in sqls[0]

    def test_a_warm_list_page_is_its_own_query_alone(self, warm_api):
        response, sqls = get(warm_api, LIST)
        assert response.status_code == 200
        assert [s["domain"] for s in response.json()["sites"]] == ["alpha.test"]
        assert len(sqls) == 1, sqls

    def test_a_legacy_key_is_remembered_too(self, api, alice_key, site, redis_limiter):
        client = api.with_key(alice_key)
        reads = [get(client, READ) for _ in range(3)]
        assert [r.status_code for r, _ in reads] == [200, 200, 200]
        assert [len(key_queries(sqls)) for _, sqls in reads] == [1, 1, 0]
        assert len(reads[2][1]) == 1  # the site, which decides the legacy budget

    def test_nothing_is_remembered_without_a_limiter_that_checks_stamps(self, api, team_key, site):
        client = api.with_key(team_key)  # the suite's default: counters in memory
        assert principal_cache() is None
        reads = [key_queries(get(client, READ)[1]) for _ in range(3)]
        assert [len(r) for r in reads] == [1, 1, 1]

    def test_nothing_is_remembered_when_the_cache_is_sized_zero(self, team_api, settings):
        settings.PRINCIPAL_CACHE_SIZE = 0
        reads = [key_queries(get(team_api, READ)[1]) for _ in range(3)]
        assert [len(r) for r in reads] == [1, 1, 1]

    def test_an_entry_older_than_the_max_age_is_read_again(self, team_api, settings):
        settings.PRINCIPAL_CACHE_MAX_AGE_SECONDS = 60
        for _ in range(3):
            team_api.get(READ)
        cache = principal_cache()
        cache.clock = lambda: float("inf")  # every entry is older than any age
        assert len(key_queries(get(team_api, READ)[1])) == 1

    def test_the_cache_holds_at_most_its_size(self, api, alice, alpha, site, issue_key, settings):
        settings.PRINCIPAL_CACHE_SIZE = 2
        set_rate_limiter(RedisRateLimiter(redis_client(), prefix=f"size-{alice.pk}-{id(api)}"))
        try:
            for _ in range(3):
                client = api.with_key(issue_key(alice, team=alpha))
                client.get(READ)
            assert len(principal_cache()) == 2
        finally:
            client = redis_client()
            for key in client.scan_iter(f"size-{alice.pk}-{id(api)}:*"):
                client.delete(key)


class TestChangesApplyToTheNextRequest:
    """Each change is made the way the application makes it (a service, or a model
    saved as the admin saves it), after the key is remembered."""

    def test_revocation(self, warm_api, alice):
        revoke_api_key(api_key=ApiKey.objects.get(user=alice, team__isnull=False))
        assert warm_api.get(READ).status_code == 401

    def test_revocation_saved_on_the_model(self, warm_api, alice):
        key = ApiKey.objects.get(user=alice, team__isnull=False)
        key.revoked_at = timezone.now()
        key.save()
        assert warm_api.get(READ).status_code == 401

    def test_deleting_the_key(self, warm_api, alice):
        ApiKey.objects.filter(user=alice, team__isnull=False).delete()
        assert warm_api.get(READ).status_code == 401

    def test_expiry_without_any_change(self, warm_api, alice, monkeypatch):
        key = ApiKey.objects.get(user=alice, team__isnull=False)
        ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() + timedelta(hours=1))
        for _ in range(3):  # remembered again, with its expiry
            assert warm_api.get(READ).status_code == 200
        assert key_queries(get(warm_api, READ)[1]) == []
        later = timezone.now() + timedelta(hours=2)
        monkeypatch.setattr("apikeys.models.timezone.now", lambda: later)
        assert warm_api.get(READ).status_code == 401

    def test_scopes_narrowed(self, warm_api, alice):
        key = ApiKey.objects.get(user=alice, team__isnull=False)
        key.scopes = ["stats:read:*"]
        key.save()
        response = warm_api.put(READ, {"domain": "new.test"}, format="json")
        assert response.status_code == 401

    def test_user_deactivated(self, warm_api, alice):
        alice.is_active = False
        alice.save()
        assert warm_api.get(READ).status_code == 401

    def test_user_deleted(self, warm_api, alice):
        User.objects.filter(pk=alice.pk).delete()
        assert warm_api.get(READ).status_code == 401

    def test_member_removed(self, api, bob, alpha, site, issue_key, redis_limiter):
        client = api.with_key(issue_key(bob, team=alpha, scopes=["sites:provision:*"]))
        for _ in range(3):
            assert client.get(LIST).status_code == 200
        Membership.objects.filter(user=bob, team=alpha).delete()
        assert client.get(LIST).status_code == 401

    def test_member_demoted(self, api, bob, alpha, site, issue_key, redis_limiter):
        add_member(team=alpha, user=bob, role=Role.ADMIN)
        client = api.with_key(issue_key(bob, team=alpha, scopes=["sites:provision:*"]))
        for _ in range(3):
            assert client.get(LIST).status_code == 200
        add_member(team=alpha, user=bob, role=Role.VIEWER)
        response = client.post("/api/v1/sites", {"domain": "bobs.test"}, format="json")
        assert response.status_code == 403, response.json()

    def test_team_locked(self, warm_api, alpha):
        set_team_entitlements(team=alpha, locked=True)
        assert warm_api.get(LIST).status_code == 402

    def test_entitlement_removed(self, warm_api, alpha):
        set_team_entitlements(team=alpha, features=[Feature.SITES_API])
        assert warm_api.get(LIST).status_code == 402

    def test_team_limits_changed(self, warm_api, alpha):
        set_team_entitlements(team=alpha, hourly_api_request_limit=1234)
        response = warm_api.get(LIST)
        assert '"hourly";q=1234;' in response["RateLimit-Policy"]

    def test_allowed_networks_changed(self, warm_api, alice):
        key = ApiKey.objects.get(user=alice, team__isnull=False)
        key.allowed_networks = ["192.0.2.0/24"]
        key.save()
        response = warm_api.get(READ)
        assert response.status_code == 403
        assert "may not be used from your network" in response.json()["error"]

    def test_a_changed_principal_is_counted_once(self, warm_api, alpha):
        before = int(warm_api.get(LIST)["RateLimit"].split("r=")[1].split(";")[0])
        set_team_entitlements(team=alpha, burst_request_limit=100)  # same limit, new stamp
        response, sqls = get(warm_api, LIST)
        assert len(key_queries(sqls)) == 1  # read again
        assert int(response["RateLimit"].split("r=")[1].split(";")[0]) == before - 1

    def test_a_change_in_another_team_keeps_the_key_remembered(self, warm_api, charlies_team):
        set_team_entitlements(team=charlies_team, locked=True)
        assert key_queries(get(warm_api, READ)[1]) == []


class TestTheSiteIsReadWhileTheRequestIsCounted:
    """A remembered team key's read: the site query runs while the counting
    script runs in Redis (api.ratelimit's `meanwhile`), not after it."""

    @pytest.fixture
    def events(self, monkeypatch):
        from redis.connection import AbstractConnection

        seen = []
        send, read = AbstractConnection.send_command, AbstractConnection.read_response

        def sending(connection, *args, **kwargs):
            seen.append(f"redis: send {args[0]}")
            return send(connection, *args, **kwargs)

        def reading(connection, *args, **kwargs):
            seen.append("redis: answer")
            return read(connection, *args, **kwargs)

        monkeypatch.setattr(AbstractConnection, "send_command", sending)
        monkeypatch.setattr(AbstractConnection, "read_response", reading)

        def querying(execute, sql, params, many, context):
            seen.append("sql: " + sql.split()[0].upper())
            return execute(sql, params, many, context)

        with connection.execute_wrapper(querying):
            yield seen

    def test_the_site_query_runs_while_the_script_does(self, warm_api, events):
        assert warm_api.get(READ).status_code == 200
        assert events == ["redis: send EVALSHA", "sql: SELECT", "redis: answer"]

    def test_a_write_reads_its_site_after_the_count(self, warm_api, events):
        response = warm_api.put(READ, {"domain": "renamed.test"}, format="json")
        assert response.status_code == 200, response.json()
        assert events[:3] == ["redis: send EVALSHA", "redis: answer", "sql: SELECT"]

    def test_a_budget_refused_lately_reads_no_site_while_counted(self, warm_api, alpha, events):
        set_team_entitlements(team=alpha, burst_request_limit=4)
        statuses = [warm_api.get(READ).status_code for _ in range(6)]
        assert statuses[-2:] == [429, 429], statuses
        events.clear()
        assert warm_api.get(READ).status_code == 429
        assert events == ["redis: send EVALSHA", "redis: answer"]

    def test_a_site_read_for_a_principal_the_script_replaced_is_read_again(
        self, api, bob, alpha, site, issue_key, redis_limiter
    ):
        """Bob's role changes to one that reads no site: the site read alongside
        the count, for his remembered role, is not what answers."""
        add_member(team=alpha, user=bob, role=Role.ADMIN)
        client = api.with_key(issue_key(bob, team=alpha, scopes=["sites:provision:*"]))
        for _ in range(3):
            assert client.get(READ).status_code == 200
        add_member(team=alpha, user=bob, role=Role.BILLING)
        assert client.get(READ).status_code == 404

    def test_a_script_redis_forgot_is_loaded_again_and_counted_once(self, warm_api):
        remaining = int(warm_api.get(READ)["RateLimit"].split("r=")[1].split(";")[0])
        redis_client().script_flush()
        response = warm_api.get(READ)
        assert response.status_code == 200
        assert int(response["RateLimit"].split("r=")[1].split(";")[0]) == remaining - 1


class TestEveryWayOfWritingIsHeard:
    """Bulk writes send no post_save; api.querysets makes them heard. And a row
    moved to another user leaves the first user's principals stale too."""

    @pytest.fixture
    def bobs_api(self, api, bob, alpha, site, issue_key, redis_limiter):
        add_member(team=alpha, user=bob, role=Role.ADMIN)
        client = api.with_key(issue_key(bob, team=alpha, scopes=["sites:provision:*"]))
        for _ in range(3):
            assert client.get(LIST).status_code == 200
        assert key_queries(get(client, LIST)[1]) == []  # remembered
        return client

    def test_a_bulk_update_of_keys(self, warm_api, alice):
        ApiKey.objects.filter(user=alice).update(revoked_at=timezone.now())
        assert warm_api.get(READ).status_code == 401

    def test_bulk_update_of_keys(self, warm_api, alice):
        keys = list(ApiKey.objects.filter(user=alice))
        for key in keys:
            key.scopes = ["stats:read:*"]
        ApiKey.objects.bulk_update(keys, ["scopes"])
        assert warm_api.put(READ, {"domain": "new.test"}, format="json").status_code == 401

    def test_a_bulk_update_of_users(self, warm_api, alice):
        User.objects.filter(pk=alice.pk).update(is_active=False)
        assert warm_api.get(READ).status_code == 401

    def test_a_bulk_update_of_teams(self, warm_api, alpha):
        from teams.models import Team

        Team.objects.filter(pk=alpha.pk).update(locked=True)
        assert warm_api.get(LIST).status_code == 402

    def test_a_bulk_update_of_memberships(self, bobs_api, bob):
        Membership.objects.filter(user=bob).update(role=Role.VIEWER)
        response = bobs_api.post("/api/v1/sites", {"domain": "bobs.test"}, format="json")
        assert response.status_code == 403, response.json()

    def test_a_member_removed_through_the_relation(self, bobs_api, bob, alpha):
        alpha.members.remove(bob)
        assert bobs_api.get(LIST).status_code == 401

    def test_a_member_added_through_the_relation(
        self, api, bob, alpha, site, issue_key, redis_limiter
    ):
        add_member(team=alpha, user=bob, role=Role.ADMIN)
        client = api.with_key(issue_key(bob, team=alpha, scopes=["sites:provision:*"]))
        Membership.objects.filter(user=bob, team=alpha).delete()
        for _ in range(3):
            client.get(READ)
        alpha.members.add(bob, through_defaults={"role": Role.ADMIN})
        assert client.get(READ).status_code == 200

    def test_a_membership_bulk_created(self, api, bob, alpha, site, issue_key, redis_limiter):
        add_member(team=alpha, user=bob, role=Role.ADMIN)
        client = api.with_key(issue_key(bob, team=alpha, scopes=["sites:provision:*"]))
        Membership.objects.filter(user=bob, team=alpha).delete()
        for _ in range(3):
            client.get(READ)
        Membership.objects.bulk_create([Membership(user=bob, team=alpha, role=Role.ADMIN)])
        assert client.get(READ).status_code == 200

    def test_a_membership_moved_to_another_user(self, bobs_api, bob, charlie):
        """As the team admin's inline lets staff do: the row keeps its id."""
        membership = Membership.objects.get(user=bob)
        membership.user = charlie
        membership.save()
        assert bobs_api.get(LIST).status_code == 401

    def test_a_key_moved_to_another_user(self, warm_api, alice, bob, alpha):
        add_member(team=alpha, user=bob, role=Role.VIEWER)
        key = ApiKey.objects.get(user=alice, team__isnull=False)
        key.user = bob
        key.save()
        response = warm_api.put(READ, {"domain": "new.test"}, format="json")
        assert response.status_code == 404, response.json()  # bob only views
        assert Site.objects.filter(domain="alpha.test").exists()

    def test_writing_only_the_last_use_retires_nothing(self, warm_api, alice):
        ApiKey.objects.filter(user=alice).update(last_used_at=timezone.now())
        assert key_queries(get(warm_api, READ)[1]) == []


class TestARememberedRefusalIsCheckedAgain:
    """No stamp is checked before a refusal: a principal refused as remembered is
    read again, so a change that would let it in applies to the next request."""

    def test_networks_widened(self, api, alice, alpha, site, issue_key, redis_limiter):
        client = api.with_key(
            issue_key(
                alice, team=alpha, scopes=["sites:provision:*"], allowed_networks=["127.0.0.1"]
            )
        )
        for _ in range(3):
            assert client.get(READ).status_code == 200
        key = ApiKey.objects.get(user=alice, team__isnull=False)
        key.allowed_networks = ["127.0.0.1/32", "10.0.0.0/8"]
        key.save()
        assert client.get(READ, REMOTE_ADDR="10.0.0.5").status_code == 200

    def test_expiry_extended(self, warm_api, alice, monkeypatch):
        key = ApiKey.objects.get(user=alice, team__isnull=False)
        soon = timezone.now() + timedelta(minutes=5)
        ApiKey.objects.filter(pk=key.pk).update(expires_at=soon)
        for _ in range(3):
            assert warm_api.get(READ).status_code == 200
        later = soon + timedelta(minutes=1)
        monkeypatch.setattr("apikeys.models.timezone.now", lambda: later)
        assert warm_api.get(READ).status_code == 401
        ApiKey.objects.filter(pk=key.pk).update(expires_at=later + timedelta(days=1))
        assert warm_api.get(READ).status_code == 200


class TestWhenRedisFails:
    @pytest.fixture
    def redis_down(self, warm_api, own_redis):
        """The key is remembered; then the limiter's Redis stops answering."""
        set_rate_limiter(RedisRateLimiter(redis_client(own_redis.port), prefix="down"))
        warm = warm_api
        for _ in range(3):
            assert warm.get(READ).status_code == 200
        own_redis.stop()
        return warm

    @pytest.fixture
    def revoke_elsewhere(self, alice, redis_prefix):
        """Revoke alice's team key from a host that still reaches Redis: the
        stamps are retired there, but this host cannot see it."""

        def revoke():
            down = rate_limiter()
            set_rate_limiter(RedisRateLimiter(redis_client(), prefix=redis_prefix))
            try:
                ApiKey.objects.filter(user=alice, team__isnull=False).update(
                    revoked_at=timezone.now()
                )
            finally:
                set_rate_limiter(down)

        return revoke

    def test_fail_closed_refuses_but_a_revoked_key_is_still_the_401(
        self, redis_down, revoke_elsewhere
    ):
        revoke_elsewhere()
        assert redis_down.get(READ).status_code == 401

    def test_fail_closed_refuses_a_valid_key(self, redis_down):
        assert redis_down.get(READ).status_code == 503

    def test_fail_open_reads_the_key_from_the_database(
        self, redis_down, revoke_elsewhere, settings
    ):
        settings.RATELIMIT_FAIL_OPEN = True
        revoke_elsewhere()
        assert redis_down.get(READ).status_code == 401

    def test_everything_remembered_is_dropped(self, redis_down, settings):
        settings.RATELIMIT_FAIL_OPEN = True
        response, sqls = get(redis_down, READ)
        assert response.status_code == 200
        assert len(principal_cache()) == 0
        assert len(key_queries(sqls)) == 1

    def test_a_change_that_could_not_retire_its_stamp_is_refused(self, redis_down, alice):
        alice.is_active = False
        with pytest.raises(StampsNotRetired) as refused:
            alice.save()
        assert refused.value.status_code == 503
        alice.refresh_from_db()
        assert alice.is_active, "written although no server could hear of it"

    def test_a_refused_revocation_is_a_503_from_the_staff_endpoint(self, redis_down, api, team_key):
        create_staff("revoker@example.com", "revoker-password-1", "delete_apikey")
        response = api.post(
            REVOKE,
            {"key": team_key},
            format="json",
            HTTP_AUTHORIZATION=basic("revoker@example.com", "revoker-password-1"),
        )
        assert response.status_code == 503
        assert response.json() == {"error": NOT_RETIRED_MESSAGE}
        assert response["Retry-After"]
        assert ApiKey.objects.get(key_prefix=team_key[:6]).revoked_at is None

    def test_failing_open_a_change_is_written_and_logged(self, redis_down, alice, settings, caplog):
        settings.RATELIMIT_FAIL_OPEN = True
        alice.is_active = False
        alice.save()
        alice.refresh_from_db()
        assert not alice.is_active
        assert f"Could not retire the stamps {user_stamp(alice.pk)}" in caplog.text


class TestStamps:
    """The counting script's side of it (api.ratelimit)."""

    def test_a_missing_stamp_gets_a_value_never_used_before(self, redis_limiter, alpha):
        from api.ratelimit import Bucket, Stamps

        bucket = Bucket("t", 10, 10, 60)
        keys = (team_stamp(alpha.pk),)
        first = redis_limiter.hit(bucket, Stamps(keys)).stamps
        assert redis_limiter.hit(bucket, Stamps(keys)).stamps == first
        seen = {first}
        for _ in range(5):
            redis_limiter.invalidate(keys)
            value = redis_limiter.hit(bucket, Stamps(keys)).stamps
            assert value not in seen
            seen.add(value)

    def test_a_changed_stamp_counts_nothing(self, redis_limiter, alpha):
        from api.ratelimit import Bucket, Stamps, StampsChanged

        bucket = Bucket("t", 10, 10, 60)
        keys = (team_stamp(alpha.pk),)
        seen = redis_limiter.hit(bucket, Stamps(keys)).stamps
        redis_limiter.invalidate(keys)
        with pytest.raises(StampsChanged) as changed:
            redis_limiter.hit(bucket, Stamps(keys, expected=seen))
        assert changed.value.current != seen
        usage = redis_limiter.hit(bucket, Stamps(keys, expected=changed.value.current))
        assert usage.hourly.count == 2  # the refused check was not counted


class TestStampsAreRetiredTwice:
    """A change retires its stamps at once and again after its transaction
    commits (apikeys.stamps): a request that reads the old rows in between, and
    takes the new stamp for theirs, is caught by the second retirement."""

    def test_a_stamp_taken_before_the_commit_is_retired_after_it(
        self, redis_limiter, alice, django_capture_on_commit_callbacks
    ):
        from api.ratelimit import Bucket, Stamps, StampsChanged

        bucket = Bucket("t", 100, 100, 60)
        keys = (user_stamp(alice.pk),)
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            alice.is_active = False
            alice.save()
            # Another request, before the commit: the old row, and a new stamp.
            taken_in_between = redis_limiter.hit(bucket, Stamps(keys)).stamps
        assert after_commit, "nothing scheduled for after the commit"
        for callback in after_commit:
            callback()
        with pytest.raises(StampsChanged):
            redis_limiter.hit(bucket, Stamps(keys, expected=taken_in_between))

    def test_a_bulk_revocation_retires_the_stamp(self, redis_limiter, alice, issue_key):
        from api.ratelimit import Bucket, Stamps, StampsChanged

        issue_key(alice)
        bucket = Bucket("t", 100, 100, 60)
        keys = (user_stamp(alice.pk),)
        seen = redis_limiter.hit(bucket, Stamps(keys)).stamps
        revoke_api_key(api_key=ApiKey.objects.get(user=alice))
        with pytest.raises(StampsChanged):
            redis_limiter.hit(bucket, Stamps(keys, expected=seen))


class TestOnlyCheckedViewsTrustTheCache:
    def test_a_viewset_without_the_key_throttle_reads_the_key_every_time(self, warm_api, team_key):
        """Nothing would check a remembered principal there, so none is used."""
        from rest_framework.test import APIRequestFactory

        from sites.views import SiteViewSet

        class Unthrottled(SiteViewSet):
            throttle_classes = []

        view = Unthrottled.as_view({"get": "list"})
        request = APIRequestFactory().get(LIST, HTTP_AUTHORIZATION=f"Bearer {team_key}")
        with CaptureQueriesContext(connection) as captured:
            response = view(request)
        assert response.status_code == 200
        assert len(key_queries(statements(captured))) == 1
        # The same key through the throttled viewset is still remembered.
        assert key_queries(get(warm_api, LIST)[1]) == []


class TestARememberedKeyStillReachesOnlyItsTeam:
    """The warm read takes the site's team from the principal only when the
    site is that team's; any other site is read whole and refused as before."""

    def test_another_teams_site_by_domain_is_the_401(self, warm_api, charlies_site):
        response = warm_api.get("/api/v1/sites/charlie.test")
        assert response.status_code == 401

    def test_another_teams_site_by_key_is_not_found(self, warm_api, charlies_site):
        response = warm_api.get(f"/api/v1/analytics/sites/{charlies_site.site_key}")
        assert response.status_code == 404

    def test_another_teams_site_named_in_the_body_is_the_401(self, warm_api, charlies_site):
        response = warm_api.put(
            "/api/v1/sites/goals",
            {"site_id": "charlie.test", "goal_type": "event", "event_name": "X"},
            format="json",
        )
        assert response.status_code == 401

    def test_its_own_site_named_in_the_body_is_served(self, warm_api):
        response, sqls = get(warm_api, "/api/v1/sites/goals?site_id=alpha.test")
        assert response.status_code == 200
        assert key_queries(sqls) == []


def test_nothing_the_stamps_leave_in_redis_lives_for_ever(redis_limiter, redis_prefix, alpha):
    from api.ratelimit import Bucket, Stamps

    redis_limiter.hit(Bucket("t", 10, 10, 60), Stamps((team_stamp(alpha.pk),)))
    client = redis_client()
    keys = list(client.scan_iter(f"{redis_prefix}:*"))
    # Two counters, the stamp, the stamp clock and the call's once-key.
    assert len(keys) == 5
    assert all(client.ttl(key) > 0 for key in keys)
    [once] = [key for key in keys if b":rl-once:" in key]
    assert client.ttl(once) <= 10
