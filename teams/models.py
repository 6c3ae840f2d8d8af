import uuid

from django.conf import settings
from django.db import models

from api.querysets import SignallingQuerySet

PERSONAL_TEAM_NAME = "My personal sites"
TEAM_NAME_MAX_LENGTH = 200
# Every role column: team roles here, guest roles on sites.
ROLE_MAX_LENGTH = 16


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"
    BILLING = "billing", "Billing"


# The effective roles each kind of action needs, on a site or in a team
# (docs/plausible-compat.md#roles). A guest's role (sites.models.GuestRole) is
# spelled like the team role it matches, so the same sets serve both.
READ_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER})
WRITE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
MANAGE_ROLES = frozenset({Role.OWNER, Role.ADMIN})
OWNER_ROLES = frozenset({Role.OWNER})


class Feature(models.TextChoices):
    """Entitlements staff grant per team. The labels are the names used in the
    Plausible-compatible 402 messages, so they must not be reworded."""

    STATS_API = "stats_api", "Stats API"
    SITES_API = "sites_api", "Sites API"
    SHARED_LINKS = "shared_links", "Shared Links"
    PROPS = "props", "Custom Properties"
    FUNNELS = "funnels", "Funnels"
    REVENUE_GOALS = "revenue_goals", "Revenue Goals"
    SITE_SEGMENTS = "site_segments", "Site Segments"


def all_features() -> list[str]:
    return [feature.value for feature in Feature]


class Team(models.Model):
    identifier = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=TEAM_NAME_MAX_LENGTH)
    # A personal team (created implicitly for a user's first site) has not finished
    # setup; the API shows it as "My personal sites".
    setup_complete = models.BooleanField(default=True)

    features = models.JSONField(default=all_features, blank=True)
    locked = models.BooleanField(default=False)
    hourly_api_request_limit = models.PositiveIntegerField(default=600)
    burst_request_limit = models.PositiveIntegerField(default=100)
    burst_period_seconds = models.PositiveIntegerField(default=60)
    site_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Maximum number of sites; empty means no limit."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    # Bulk writes are heard (api.querysets): a principal cache remembers teams.
    objects = SignallingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(burst_period_seconds__gte=1),
                name="team_burst_period_at_least_one_second",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.identifier})"

    @property
    def display_name(self) -> str:
        return self.name if self.setup_complete else PERSONAL_TEAM_NAME

    def has_feature(self, feature: str) -> bool:
        return feature in (self.features or [])


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(max_length=ROLE_MAX_LENGTH, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    # Bulk writes are heard (api.querysets): a principal cache remembers roles.
    objects = SignallingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.team.display_name}"
