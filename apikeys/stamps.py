"""The stamps a principal is checked against (api.ratelimit's stamps), and what
changes them.

A principal (apikeys.principal) is read from four tables: the key, its user,
the user's membership in the key's team, and that team (locked, entitlements,
limits). Two stamps cover them:

- `user:<id>`: the user row, every key of the user, every membership of the user;
- `team:<id>`: the team row (a legacy key has no team, so no team stamp).

Any write to those rows through the ORM, anywhere (services, the admin,
commands, a shell), retires the stamps of the rows as they were and as they will
be (a key or a membership moved to another user retires both users' stamps):
`save()` and `delete()` through Django's signals, `update()`, `bulk_update()`,
`bulk_create()` and relations' `add()` through api.querysets.

Twice: before the write, and again after its transaction commits. Why twice: a
request that reads the rows between the first retirement and the commit still
sees the old rows, and would remember them under the new stamp; the second
retirement, once the new rows are visible to everyone, retires that stamp too.
The first one is also what a request inside the same transaction sees.

Redis unreachable before the write: the write is refused (StampsNotRetired, a
503 over HTTP, an error from a command), since the servers that remember the
rows could not hear of it; unless the operator chose RATELIMIT_FAIL_OPEN
(serving over exactness), then it is logged and the change reaches those servers
within PRINCIPAL_CACHE_MAX_AGE_SECONDS. Unreachable after the commit: retried,
then logged, with the same bound.
Without REDIS_URL there are no stamps and no principal cache, so nothing is
retired; every process that writes these tables must therefore share the API
servers' REDIS_URL and CACHE_KEY_PREFIX (README, Configuration). Raw SQL behind
the ORM's back is only caught up by PRINCIPAL_CACHE_MAX_AGE_SECONDS.
"""

import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_delete, pre_save

from accounts.models import User
from api.querysets import rows_changing, rows_created
from api.ratelimit import RateLimitUnavailable, rate_limiter
from apikeys.models import ApiKey
from teams.models import Membership, Team

logger = logging.getLogger(__name__)

# Columns no principal is read from, written often: writing only them retires
# nothing (a key's last use is written once a minute by every busy key).
NOT_IN_A_PRINCIPAL = {
    ApiKey: frozenset({"last_used_at"}),
    User: frozenset({"last_login"}),
}
# Retries of the retirement after a commit, and the pause before each.
AFTER_COMMIT_PAUSES = (0.05, 0.25)
NOT_RETIRED_MESSAGE = (
    "The change was not saved: Redis, through which every server hears of changes "
    "to keys, users and teams, cannot be reached. Please retry shortly."
)


class StampsNotRetired(RateLimitUnavailable):
    """Redis was unreachable before a write to a principal's rows: refused."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.message = NOT_RETIRED_MESSAGE
        self.args = (NOT_RETIRED_MESSAGE,)


def user_stamp(user_id: int) -> str:
    return f"stamp:user:{user_id}"


def team_stamp(team_id: int) -> str:
    return f"stamp:team:{team_id}"


def principal_stamp_keys(*, user_id: int, team_id: int | None) -> tuple[str, ...]:
    if team_id is None:
        return (user_stamp(user_id),)
    return (user_stamp(user_id), team_stamp(team_id))


def stamps_changed(*stamp_keys: str) -> None:
    """What these stamps stand for is changing: retire them now (raising
    StampsNotRetired if Redis is unreachable) and again after the commit."""
    if not stamp_keys:
        return
    try:
        rate_limiter().invalidate(stamp_keys)
    except RateLimitUnavailable as exc:
        if not settings.RATELIMIT_FAIL_OPEN:
            raise StampsNotRetired(str(exc)) from exc
        _not_retired(stamp_keys, exc)
    transaction.on_commit(lambda: _retire_after_commit(stamp_keys))


def _retire_after_commit(stamp_keys: tuple[str, ...]) -> None:
    for pause in (*AFTER_COMMIT_PAUSES, None):
        try:
            rate_limiter().invalidate(stamp_keys)
            return
        except RateLimitUnavailable as exc:
            if pause is None:
                _not_retired(stamp_keys, exc)
                return
            time.sleep(pause)


def _not_retired(stamp_keys: tuple[str, ...], exc: Exception) -> None:
    # A server that remembered these rows catches up within
    # PRINCIPAL_CACHE_MAX_AGE_SECONDS; one that cannot reach Redis trusts nothing
    # it remembered anyway.
    logger.error("Could not retire the stamps %s: %s", ", ".join(stamp_keys), exc)


# Which stamp covers a row of each table, and the column that names it.
STAMPED_BY = {
    ApiKey: (user_stamp, "user_id"),
    Membership: (user_stamp, "user_id"),
    User: (user_stamp, "pk"),
    Team: (team_stamp, "pk"),
}


def _stamps_named(model, ids) -> tuple[str, ...]:
    stamp, _ = STAMPED_BY[model]
    return tuple(stamp(value) for value in sorted(set(ids)) if value is not None)


def _stamps_of_rows(model, rows) -> tuple[str, ...]:
    """The stamps covering `rows`, instances of `model` (saved or not)."""
    _, column = STAMPED_BY[model]
    return _stamps_named(model, (getattr(row, column) for row in rows))


def _stamps_of_stored_rows(model, queryset) -> tuple[str, ...]:
    """The same for rows as the database holds them."""
    _, column = STAMPED_BY[model]
    return _stamps_named(model, queryset.values_list(column, flat=True).order_by())


def _user_moving_to(values: dict) -> list:
    user = values.get("user", values.get("user_id"))
    return [getattr(user, "pk", user)] if user is not None else []


def _only_unread_columns(model, fields) -> bool:
    return bool(fields) and frozenset(fields) <= NOT_IN_A_PRINCIPAL.get(model, frozenset())


def _saving(sender, instance, update_fields=None, **kwargs):
    if _only_unread_columns(sender, update_fields):
        return
    if sender is ApiKey and instance._state.adding:
        return  # a key no server has seen yet: nothing remembers it
    stamps = set(_stamps_of_rows(sender, [instance]))
    if sender in (ApiKey, Membership) and not instance._state.adding:
        # The row's user as stored: a key or membership moved to another user
        # leaves the first user's principals stale too.
        stored = sender._base_manager.filter(pk=instance.pk)
        stamps.update(_stamps_of_stored_rows(sender, stored))
    stamps_changed(*sorted(stamps))


def _deleting(sender, instance, **kwargs):
    stamps_changed(*_stamps_of_rows(sender, [instance]))


def _updating(sender, queryset, values, **kwargs):
    if _only_unread_columns(sender, values):
        return
    stamps = set(_stamps_of_stored_rows(sender, queryset))
    if sender in (ApiKey, Membership):
        stamps.update(_stamps_named(sender, _user_moving_to(values)))
    stamps_changed(*sorted(stamps))


def _created(sender, objects, **kwargs):
    if sender is ApiKey:
        return  # keys no server has seen yet
    stamps_changed(*_stamps_of_rows(sender, objects))


def connect_receivers() -> None:
    """Called once, from apikeys' AppConfig.ready()."""
    for model in (ApiKey, User, Membership, Team):
        uid = f"stamps:{model.__name__}"
        pre_save.connect(_saving, sender=model, dispatch_uid=uid)
        pre_delete.connect(_deleting, sender=model, dispatch_uid=uid)
        rows_changing.connect(_updating, sender=model, dispatch_uid=uid)
        rows_created.connect(_created, sender=model, dispatch_uid=uid)
