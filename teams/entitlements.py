"""What a team's plan lets it do: the one copy of the entitlement rules
(docs/plausible-compat.md#entitlements), used by reach (sites.reach) and by site
creation (sites.services) alike."""

from teams.exceptions import FEATURE_MISSING, TEAM_LOCKED, TeamNotEntitled
from teams.models import Feature, Team


def verify_team_entitlements(*, team: Team, feature: Feature) -> None:
    """A locked team, or one without the feature, is a 402."""
    if team.locked:
        raise TeamNotEntitled(TEAM_LOCKED)
    if not team.has_feature(feature):
        raise TeamNotEntitled(FEATURE_MISSING.format(feature=feature.label))
