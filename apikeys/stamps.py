"""The stamps a principal is checked against (api.ratelimit's stamps), and what
changes them.

A principal (apikeys.principal) is read from four tables: the key, its user,
the user's membership in the key's team, and that team (locked, entitlements,
limits). Two stamps cover them:

- `user:<id>`: the user row, every key of the user, every membership of the user;
- `team:<id>`: the team row (a legacy key has no team, so no team stamp).

Any save or delete of those rows, through the ORM anywhere (services, the admin,
commands, a shell), deletes the stamp: once at once, and once more after the
transaction commits. Why twice: a request that reads the key between the first
deletion and the commit still sees the old rows, and would remember them under
the new stamp; the second deletion, once the new rows are visible to everyone,
retires that stamp too. The first one is what a request inside the same
transaction (a test, a shell session) sees.

`QuerySet.update()` sends no signal: code that updates these tables in bulk
calls `stamps_changed` itself (apikeys.services.revoke_api_key). Raw SQL behind
the application's back is only caught up by PRINCIPAL_CACHE_MAX_AGE_SECONDS.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.models import User
from api.ratelimit import RateLimitUnavailable, rate_limiter
from apikeys.models import ApiKey
from teams.models import Membership, Team

logger = logging.getLogger(__name__)


def user_stamp(user_id: int) -> str:
    return f"stamp:user:{user_id}"


def team_stamp(team_id: int) -> str:
    return f"stamp:team:{team_id}"


def principal_stamp_keys(*, user_id: int, team_id: int | None) -> tuple[str, ...]:
    if team_id is None:
        return (user_stamp(user_id),)
    return (user_stamp(user_id), team_stamp(team_id))


def _invalidate(stamp_keys: tuple[str, ...]) -> None:
    try:
        rate_limiter().invalidate(stamp_keys)
    except RateLimitUnavailable as exc:
        # The change stands. Processes that cannot reach Redis trust nothing they
        # remembered; one that can and remembered this key catches up within
        # PRINCIPAL_CACHE_MAX_AGE_SECONDS.
        logger.error("Could not retire the stamps %s: %s", ", ".join(stamp_keys), exc)


def stamps_changed(*stamp_keys: str) -> None:
    """What these stamps stand for changed: retire them now and after commit."""
    _invalidate(stamp_keys)
    transaction.on_commit(lambda: _invalidate(stamp_keys))


def _key_changed(sender, instance, **kwargs):
    stamps_changed(user_stamp(instance.user_id))


def _user_changed(sender, instance, **kwargs):
    stamps_changed(user_stamp(instance.pk))


def _membership_changed(sender, instance, **kwargs):
    stamps_changed(user_stamp(instance.user_id))


def _team_changed(sender, instance, **kwargs):
    stamps_changed(team_stamp(instance.pk))


def connect_receivers() -> None:
    """Called once, from apikeys' AppConfig.ready()."""
    for model, receiver in (
        (ApiKey, _key_changed),
        (User, _user_changed),
        (Membership, _membership_changed),
        (Team, _team_changed),
    ):
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, dispatch_uid=f"stamps:{model.__name__}")
