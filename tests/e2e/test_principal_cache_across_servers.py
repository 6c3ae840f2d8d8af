"""Remembered principals (apikeys.principal_cache) never outlive a change: two
gunicorn servers (two workers each) share one PostgreSQL and one Redis; a key is
warmed on every worker of both, then changed from a separate process (a
manage.py command or shell, as staff and operators change things), and the very
next requests on both servers see the change. Rate limits stay exact."""

import http.client
import json
import time
import uuid
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_rate_limits_across_servers import hammer
from tests.pg_cluster import running_postgres
from tests.ratelimit_fixtures import redis_client, require_redis
from tests.servers import gunicorn_server

pytestmark = pytest.mark.e2e

# Each request on a new connection, so the kernel spreads them over the workers.
WARM_REQUESTS_PER_SERVER = 12
CHECK_REQUESTS_PER_SERVER = 6


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    require_redis()
    workdir = tmp_path_factory.mktemp("principal-cache")
    prefix = f"test-{uuid.uuid4().hex}"
    try:
        with running_postgres(workdir / "pg") as postgres:
            shared = {
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "CACHE_KEY_PREFIX": prefix,
                "DATABASE_URL": postgres.url,
            }
            (workdir / "a").mkdir()
            (workdir / "b").mkdir()
            with (
                gunicorn_server(workdir / "a", workers=2, env=shared) as first,
                gunicorn_server(
                    workdir / "b", workers=2, env=shared, collect_static=False
                ) as second,
            ):
                yield first, second
    finally:
        client = redis_client()
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def call(url: str, key: str, method: str = "GET", path: str = "/api/v1/sites", body=None):
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    headers = {"Authorization": f"Bearer {key}"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def statuses(servers, key, count, **kwargs) -> Counter:
    return Counter(call(server.url, key, **kwargs)[0] for server in servers for _ in range(count))


SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.services import create_user
from apikeys.services import create_api_key
from sites.services import create_site
from teams.models import Role
from teams.services import add_member, create_team
owner = create_user(email="owner-{tag}@example.com")
member = create_user(email="member-{tag}@example.com")
team = create_team(name="Team {tag}", owner=owner)
add_member(team=team, user=member, role=Role.{role})
create_site(team=team, domain="{tag}.test")
key = create_api_key(user=member, team=team, name="e2e", scopes=["sites:provision:*"],
                     {key_options})
expires = key.api_key.expires_at.timestamp() if key.api_key.expires_at else 0
print(team.identifier, key.api_key.key_prefix, key.raw_key, expires)
"""


class Warmed(NamedTuple):
    tag: str
    team: str  # identifier
    prefix: str
    key: str
    expires_at: float  # a Unix time, 0 for never


def warmed_key(servers, *, role="ADMIN", key_options=""):
    """A new member's team key, remembered by (almost surely) every worker."""
    tag = uuid.uuid4().hex[:10]
    output = servers[0].manage(
        "shell", "-c", SETUP.format(tag=tag, role=role, key_options=key_options)
    )
    team, prefix, key, expires = output.splitlines()[-1].split()  # after the audit log
    warm = statuses(servers, key, WARM_REQUESTS_PER_SERVER)
    assert warm == Counter({200: 2 * WARM_REQUESTS_PER_SERVER})
    return Warmed(tag, team, prefix, key, float(expires))


def assert_every_answer_is(servers, key, status: int) -> None:
    """The next requests on every server, spread over their workers, all see it."""
    seen = statuses(servers, key, CHECK_REQUESTS_PER_SERVER)
    assert seen == Counter({status: 2 * CHECK_REQUESTS_PER_SERVER})


def shell(server, code: str) -> None:
    server.manage("shell", "-c", code)


def test_revocation(servers):
    _, _, prefix, key, _ = warmed_key(servers)
    servers[1].manage("revoke_api_key", prefix)
    assert_every_answer_is(servers, key, 401)


def test_expiry(servers):
    warmed = warmed_key(servers, key_options="expires_at=timezone.now() + timedelta(seconds=8)")
    key = warmed.key
    time.sleep(max(warmed.expires_at - time.time(), 0) + 0.5)
    assert_every_answer_is(servers, key, 401)


def test_user_deactivated(servers):
    tag, _, _, key, _ = warmed_key(servers)
    shell(
        servers[1],
        "from accounts.models import User\n"
        f"user = User.objects.get(email='member-{tag}@example.com')\n"
        "user.is_active = False\nuser.save()",
    )
    assert_every_answer_is(servers, key, 401)


def test_member_removed(servers):
    tag, _, _, key, _ = warmed_key(servers)
    shell(
        servers[1],
        "from teams.models import Membership\n"
        f"Membership.objects.get(user__email='member-{tag}@example.com').delete()",
    )
    assert_every_answer_is(servers, key, 401)


def test_member_demoted(servers):
    tag, team, _, key, _ = warmed_key(servers)
    servers[1].manage("add_member", team, f"member-{tag}@example.com", "--role", "viewer")
    seen = Counter()
    for index in range(CHECK_REQUESTS_PER_SERVER):
        for server in servers:
            body = {"domain": f"new-{index}-{server.url[-5:]}-{tag}.test"}
            seen[call(server.url, key, method="POST", body=body)[0]] += 1
    assert seen == Counter({403: 2 * CHECK_REQUESTS_PER_SERVER})


def test_team_locked(servers):
    _, team, _, key, _ = warmed_key(servers)
    servers[1].manage("set_team_entitlements", team, "--lock")
    assert_every_answer_is(servers, key, 402)


def test_entitlement_removed(servers):
    _, team, _, key, _ = warmed_key(servers)
    servers[1].manage("set_team_entitlements", team, "--features", "sites_api")
    # Reading needs the Stats API.
    assert_every_answer_is(servers, key, 402)


def test_allowed_networks_changed(servers):
    _, _, prefix, key, _ = warmed_key(servers)
    shell(
        servers[1],
        "from apikeys.models import ApiKey\n"
        f"key = ApiKey.objects.get(key_prefix='{prefix}')\n"
        "key.allowed_networks = ['192.0.2.0/24']\nkey.save()",
    )
    assert_every_answer_is(servers, key, 403)


def test_a_bulk_update_from_a_shell(servers):
    """`QuerySet.update()` sends no post_save; it is heard all the same."""
    tag, _, _, key, _ = warmed_key(servers)
    shell(
        servers[1],
        "from accounts.models import User\n"
        f"User.objects.filter(email='member-{tag}@example.com').update(is_active=False)",
    )
    assert_every_answer_is(servers, key, 401)


def test_a_membership_moved_to_another_user(servers):
    """The old user's principals go stale too, not only the new user's."""
    tag, _, _, key, _ = warmed_key(servers)
    shell(
        servers[1],
        "from accounts.services import create_user\n"
        "from teams.models import Membership\n"
        f"membership = Membership.objects.get(user__email='member-{tag}@example.com')\n"
        f"membership.user = create_user(email='other-{tag}@example.com')\n"
        "membership.save()",
    )
    assert_every_answer_is(servers, key, 401)


def test_rate_limits_stay_exact_with_remembered_principals(servers):
    _, team, _, key, _ = warmed_key(servers)
    limit, day = 100, 86400
    servers[0].manage(
        "set_team_entitlements",
        team,
        "--burst-limit",
        str(limit),
        "--burst-period",
        str(day),
        "--hourly-limit",
        "1000000",
    )
    window = int(time.time() // day)
    seen = hammer([server.url for server in servers], key)
    if int(time.time() // day) != window:
        pytest.skip("the run crossed midnight UTC, a burst window boundary")
    assert seen[200] == limit
    assert seen[429] == sum(seen.values()) - limit
