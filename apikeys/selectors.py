import hmac
from functools import cache

from django.db import connection

from accounts.models import User
from apikeys import keys
from apikeys.models import ApiKey
from apikeys.rows import RowLoader, quote, split_row
from teams.models import Membership, Team

_KEYS = RowLoader(ApiKey, "k")
_USERS = RowLoader(User, "u")
_TEAMS = RowLoader(Team, "t")


@cache
def _key_lookup_sql() -> str:
    # Only identifiers from model metadata are interpolated; the key hash is bound.
    membership = Membership._meta.db_table
    return (
        f"SELECT {_KEYS.columns}, {_USERS.columns}, {_TEAMS.columns}, "  # noqa: S608
        f"(SELECT m.{quote('role')} FROM {quote(membership)} m "
        f"WHERE m.{quote('team_id')} = k.{quote('team_id')} "
        f"AND m.{quote('user_id')} = k.{quote('user_id')} LIMIT 1) "
        f"FROM {quote(ApiKey._meta.db_table)} k "
        f"INNER JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = k.{quote('user_id')} "
        f"LEFT OUTER JOIN {quote(Team._meta.db_table)} t ON t.{quote('id')} = k.{quote('team_id')} "
        f"WHERE k.{quote('key_hash')} = %s LIMIT 1"
    )


def api_key_for_raw_key(raw_key: str) -> ApiKey | None:
    """The key matching `raw_key`, with its user, team and the user's role in that
    team (`user_role_in_team`), in one query. Malformed keys never reach the
    database. Hand-written SQL (apikeys/rows.py): this runs on every request."""
    if not keys.is_well_formed(raw_key):
        return None
    key_hash = keys.hash_key(raw_key)
    with connection.cursor() as cursor:
        cursor.execute(_key_lookup_sql(), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    key_values, user_values, team_values, (role,) = split_row(row, _KEYS, _USERS, _TEAMS)
    api_key = _KEYS.build(key_values)
    # The index lookup already matched; comparing again in constant time costs
    # nothing and keeps the secret comparison independent of the database.
    if not hmac.compare_digest(api_key.key_hash, key_hash):
        return None
    api_key.user = _USERS.build(user_values)
    api_key.team = _TEAMS.build(team_values)
    api_key.user_role_in_team = role
    return api_key


def api_keys_with_prefix(prefix: str):
    return ApiKey.objects.select_related("user", "team").filter(key_prefix=prefix)
