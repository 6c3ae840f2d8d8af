import hmac

from django.db.models import OuterRef, Subquery

from apikeys import keys
from apikeys.models import ApiKey
from teams.models import Membership


def api_key_for_raw_key(raw_key: str) -> ApiKey | None:
    """The key matching `raw_key`, with its user, team and the user's role in that
    team, in one query. Malformed keys never reach the database."""
    if not keys.is_well_formed(raw_key):
        return None
    key_hash = keys.hash_key(raw_key)
    role_in_key_team = Membership.objects.filter(
        team=OuterRef("team"), user=OuterRef("user")
    ).values("role")[:1]
    api_key = (
        ApiKey.objects.select_related("user", "team")
        .annotate(user_role_in_team=Subquery(role_in_key_team))
        .filter(key_hash=key_hash)
        .first()
    )
    # The index lookup already matched; comparing again in constant time costs
    # nothing and keeps the secret comparison independent of the database.
    if api_key is None or not hmac.compare_digest(api_key.key_hash, key_hash):
        return None
    return api_key


def api_keys_with_prefix(prefix: str):
    return ApiKey.objects.select_related("user", "team").filter(key_prefix=prefix)
