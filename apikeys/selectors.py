import hmac
from dataclasses import dataclass
from functools import cache

from django.db import connection

from accounts.models import User
from api.rows import RowLoader, quote, split_row
from apikeys import keys
from apikeys.models import ApiKey
from sites.models import Site
from sites.selectors import SiteLookup, site_columns_sql, site_from_row, site_joins_sql
from teams.models import Membership, Team

_KEYS = RowLoader(ApiKey, "k")
_USERS = RowLoader(User, "u")
_TEAMS = RowLoader(Team, "t")


@cache
def _key_lookup_sql(site_by: str | None) -> str:
    """The key, its user, its team and the user's role there; with `site_by`, also
    the site the request names (sites.selectors), so one statement does both.
    Only identifiers from model metadata are interpolated; values are bound."""
    membership = Membership._meta.db_table
    key_user = f"k.{quote('user_id')}"
    site_columns = f", {site_columns_sql(key_user)}" if site_by else ""
    site_joins = f" {site_joins_sql(site_by)}" if site_by else ""
    return (
        f"SELECT {_KEYS.columns}, {_USERS.columns}, {_TEAMS.columns}, "  # noqa: S608
        f"(SELECT m.{quote('role')} FROM {quote(membership)} m "
        f"WHERE m.{quote('team_id')} = k.{quote('team_id')} "
        f"AND m.{quote('user_id')} = k.{quote('user_id')} LIMIT 1)"
        f"{site_columns} "
        f"FROM {quote(ApiKey._meta.db_table)} k "
        f"INNER JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = k.{quote('user_id')} "
        f"LEFT OUTER JOIN {quote(Team._meta.db_table)} t ON t.{quote('id')} = k.{quote('team_id')}"
        f"{site_joins} "
        f"WHERE k.{quote('key_hash')} = %s LIMIT 1"
    )


@dataclass(frozen=True)
class NamedSite:
    """The site a request names, fetched with its key: `site` is None when no site
    has that name. Reach is not decided here (apikeys.access does that)."""

    lookup: SiteLookup
    site: Site | None


def api_key_for_raw_key(raw_key: str, site_lookup: SiteLookup | None = None) -> ApiKey | None:
    """The key matching `raw_key`, with its user, team and the user's role in that
    team (`user_role_in_team`), in one query. Malformed keys never reach the
    database. Hand-written SQL (apikeys/rows.py): this runs on every request.

    With `site_lookup`, the same query also fetches that site with the key user's
    roles on it, as `named_site` (a NamedSite): one round trip instead of two."""
    if not keys.is_well_formed(raw_key):
        return None
    if site_lookup is not None and not site_lookup.possible:
        site_lookup = None  # nothing to fetch; authorize() finds no site either
    key_hash = keys.hash_key(raw_key)
    site_by = site_lookup.by if site_lookup is not None else None
    values = [*site_lookup.params(), key_hash] if site_lookup is not None else [key_hash]
    with connection.cursor() as cursor:
        cursor.execute(_key_lookup_sql(site_by), values)
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
    api_key.user_role_in_team = rest[0]
    if site_lookup is not None:
        api_key.named_site = NamedSite(lookup=site_lookup, site=site_from_row(rest[1:]))
    return api_key


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
