import hmac

from django.db import connection

from accounts.models import User
from api.sql import RowLoader, key_lookup_sql, split_row
from apikeys import keys
from apikeys.models import ApiKey
from apikeys.principal import Joined, JoinedRead, Principal
from teams.models import Membership, Team

_KEYS = RowLoader(ApiKey, "k")
_USERS = RowLoader(User, "u")
_TEAMS = RowLoader(Team, "t")


def principal_for_raw_key(raw_key: str, joined: JoinedRead | None = None) -> Principal | None:
    """The principal of the key matching `raw_key`: the key, its user, its team and
    the user's role in that team, in one query. Malformed keys never reach the
    database. Hand-written SQL (api/sql.py): this runs on every request. Whether
    the key may still be used is the caller's to judge (`Principal.is_usable`).

    With `joined`, the same query also runs that read (the site the request
    names, with the key user's roles on it), its result as the principal's
    `read_with_key`: one round trip instead of two."""
    if not keys.is_well_formed(raw_key):
        return None
    key_hash = keys.hash_key(raw_key)
    if joined is None:
        sql, values = key_lookup_sql(_KEYS, _USERS, _TEAMS, Membership), [key_hash]
    else:
        extra_columns = joined.columns_sql(_KEYS.col("user"))
        sql = key_lookup_sql(_KEYS, _USERS, _TEAMS, Membership, extra_columns, joined.joins_sql())
        values = [*joined.params(), key_hash]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return None
    key_values, user_values, team_values, rest = split_row(row, _KEYS, _USERS, _TEAMS)
    api_key = _KEYS.build(key_values)
    # The index lookup already matched; comparing again in constant time costs
    # nothing and keeps the secret comparison independent of the database.
    if not hmac.compare_digest(api_key.key_hash, key_hash):
        return None
    api_key.user = _USERS.build(user_values)
    api_key.team = _TEAMS.build(team_values)
    read_with_key = None
    if joined is not None:
        read_with_key = Joined(read=joined, value=joined.from_row(rest[1:]))
    return Principal.of(api_key, role_in_team=rest[0], read_with_key=read_with_key)


def principal_for_key(api_key: ApiKey) -> Principal:
    """The principal of a key already loaded (tests, the admin), its user's role in
    its team read now: the same value `principal_for_raw_key` builds."""
    role = None
    if api_key.team_id is not None:
        role = (
            Membership.objects.filter(team_id=api_key.team_id, user_id=api_key.user_id)
            .values_list("role", flat=True)
            .first()
        )
    return Principal.of(api_key, role_in_team=role)


def api_keys_with_prefix(prefix: str):
    return ApiKey.objects.select_related("user", "team").filter(key_prefix=prefix)


def api_key_with_raw_key(raw_key: str) -> ApiKey | None:
    """The key (with its user and team) for revocation; malformed keys never reach
    the database."""
    if not keys.is_well_formed(raw_key):
        return None
    return (
        ApiKey.objects.select_related("user", "team")
        .filter(key_hash=keys.hash_key(raw_key))
        .first()
    )
