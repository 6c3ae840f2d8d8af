"""While Redis is unreachable, changes to keys, users and teams are refused
(apikeys.stamps): in the admin, staff see why on the page they came from, and
nothing of the change is kept."""

import pytest

from accounts.models import User
from api.ratelimit import RedisRateLimiter, set_rate_limiter
from apikeys.models import ApiKey
from apikeys.stamps import NOT_RETIRED_MESSAGE
from teams.models import Membership, Team
from tests.ratelimit_fixtures import free_port, redis_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_unreachable(staff_client, alice, alpha):
    """After what the test needs is written (writing it needs Redis)."""
    set_rate_limiter(RedisRateLimiter(redis_client(port=free_port()), prefix="nowhere"))


def messages_on(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def alices_key(alice, issue_key):
    return issue_key(alice)


def test_revoking_a_key_is_refused_with_the_reason(staff_client, alices_key, redis_unreachable):
    response = staff_client.post(
        "/admin/apikeys/apikey/",
        {"action": "revoke_selected", "_selected_action": [ApiKey.objects.get().pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert NOT_RETIRED_MESSAGE in messages_on(response)
    assert ApiKey.objects.get(key_prefix=alices_key[:6]).revoked_at is None


def test_deleting_a_team_is_refused_and_nothing_is_deleted(staff_client, alpha, redis_unreachable):
    response = staff_client.post(
        f"/admin/teams/team/{alpha.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert NOT_RETIRED_MESSAGE in messages_on(response)
    assert Team.objects.filter(pk=alpha.pk).exists()
    assert Membership.objects.filter(team=alpha).exists()


def test_deleting_a_user_is_refused(staff_client, alice, redis_unreachable):
    response = staff_client.post(
        "/admin/accounts/user/",
        {
            "action": "delete_selected",
            "_selected_action": [alice.pk],
            "post": "yes",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert NOT_RETIRED_MESSAGE in messages_on(response)
    assert User.objects.filter(pk=alice.pk).exists()
