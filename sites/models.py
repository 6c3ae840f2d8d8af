from django.conf import settings
from django.db import models

from teams.models import Team

DEFAULT_TIMEZONE = "Etc/UTC"


class GuestRole(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"


class Site(models.Model):
    """An analytics site, identified on the wire by its domain."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sites")
    domain = models.CharField(max_length=255, unique=True)
    # The previous domain keeps resolving for a grace period after a domain change.
    domain_changed_from = models.CharField(max_length=255, null=True, blank=True, unique=True)
    domain_changed_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default=DEFAULT_TIMEZONE)
    allowed_event_props = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.domain


class GuestMembership(models.Model):
    """Access to one site for someone who is not a member of the site's team."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="guest_memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest_memberships"
    )
    role = models.CharField(max_length=16, choices=GuestRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "user"], name="guest_unique_site_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=GuestRole.values), name="guest_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} is a guest {self.role} of {self.site}"
