"""Who a key-authenticated request is: the `request.auth` of every such request.

An explicit, immutable value built once by the authentication class (one query,
apikeys.selectors, or none when apikeys.principal_cache remembers it), so that
nothing later rides on the key row as ad-hoc attributes and nothing has to guess
whether a field was loaded."""

from dataclasses import dataclass
from typing import Any, Protocol

from accounts.models import User
from apikeys.models import ApiKey
from apikeys.stamps import principal_stamp_keys
from teams.models import Team


class JoinedRead(Protocol):
    """Another app's read that rides on the key lookup, so that one statement
    answers both (sites.selectors.SiteLookup: the site a request names). Its
    columns follow the key's, given the SQL of the key's user id; its LEFT JOINs
    follow the key's; `params()` are bound before the key hash; `from_row` turns
    its slice of the row back into what it read (None when nothing matched)."""

    def columns_sql(self, user_id_sql: str) -> str: ...

    def joins_sql(self) -> str: ...

    def params(self) -> list: ...

    def from_row(self, values) -> Any: ...


@dataclass(frozen=True)
class Joined:
    """What a JoinedRead found, fetched with the key. Reach is not decided here
    (sites.reach does that)."""

    read: JoinedRead
    value: Any


@dataclass(frozen=True)
class Principal:
    """A valid key and everything the checks after authentication need from it."""

    api_key: ApiKey
    user: User
    # The key's team; None for a legacy key (which reaches every team of its user).
    team: Team | None
    # The user's role in `team` (None for a legacy key, or if they left the team).
    role_in_team: str | None
    scopes: tuple[str, ...]
    allowed_networks: tuple[str, ...]
    # The read the request asked to run with the key (the site it names), if any.
    read_with_key: Joined | None = None
    # Remembered from an earlier request (apikeys.principal_cache): to be trusted
    # only once the counting script has found its `stamps` unchanged.
    from_cache: bool = False
    # The values of `stamp_keys` read before this principal was read (None: not
    # known), which the counting script checks (apikeys.throttling).
    stamps: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls, api_key: ApiKey, *, role_in_team: str | None, read_with_key: Joined | None = None
    ) -> "Principal":
        return cls(
            api_key=api_key,
            user=api_key.user,
            team=api_key.team,
            role_in_team=role_in_team,
            scopes=tuple(api_key.scopes or ()),
            allowed_networks=tuple(api_key.allowed_networks or ()),
            read_with_key=read_with_key,
        )

    @property
    def key_id(self) -> int:
        return self.api_key.pk

    @property
    def team_id(self) -> int | None:
        return self.api_key.team_id

    @property
    def stamp_keys(self) -> tuple[str, ...]:
        """The stamps of what this principal is read from (apikeys.stamps)."""
        return principal_stamp_keys(user_id=self.api_key.user_id, team_id=self.team_id)

    @property
    def is_usable(self) -> bool:
        """Not revoked, not expired, and its user still active."""
        return self.api_key.is_usable() and self.user.is_active

    def fetched_with_key(self, read: object) -> Joined | None:
        """What `read` found, if it was the read run with the key."""
        if self.read_with_key is not None and self.read_with_key.read == read:
            return self.read_with_key
        return None
