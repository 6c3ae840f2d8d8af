import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import EMAIL_MAX_LENGTH
from sites.ids import new_site_key, new_tracker_id
from teams.models import ROLE_MAX_LENGTH, Team

DEFAULT_TIMEZONE = "Etc/UTC"
DOMAIN_MAX_LENGTH = 255
SITE_NAME_MAX_LENGTH = 255  # a name defaults to the domain
SITE_KEY_MAX_LENGTH = 32
TIMEZONE_MAX_LENGTH = 64
# A custom property's name: an entry of `allowed_event_props`, a goal's property key.
CUSTOM_PROPERTY_MAX_LENGTH = 300
TRACKER_ID_MAX_LENGTH = 24
INSTALLATION_TYPE_MAX_LENGTH = 16
GOAL_EVENT_NAME_MAX_LENGTH = 120
# A goal's page path, its display name and each of its property values.
GOAL_TEXT_MAX_LENGTH = 2000
CURRENCY_LENGTH = 3  # an ISO 4217 code
DIGEST_LENGTH = 64  # a SHA-256 hex digest


class GuestRole(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"


class Site(models.Model):
    """An analytics site. The Plausible dialect names it by its domain; the
    resource dialect (/api/v1/analytics/sites) by its immutable `site_key`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site_key = models.CharField(
        max_length=SITE_KEY_MAX_LENGTH, unique=True, default=new_site_key, editable=False
    )
    name = models.CharField(max_length=SITE_NAME_MAX_LENGTH)
    public_stats = models.BooleanField(
        default=False, help_text="The share page opens without a shared-link slug."
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sites")
    domain = models.CharField(max_length=DOMAIN_MAX_LENGTH, unique=True)
    # The previous domain keeps resolving for a grace period after a domain change.
    domain_changed_from = models.CharField(
        max_length=DOMAIN_MAX_LENGTH, null=True, blank=True, unique=True
    )
    domain_changed_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=TIMEZONE_MAX_LENGTH, default=DEFAULT_TIMEZONE)
    # The custom-property allow-list, newest first (Plausible's `allowed_event_props`).
    allowed_event_props = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Keyset pagination of one team's sites, newest first (GET /api/v1/sites).
            models.Index(fields=["team", "-id"], name="site_team_id_desc"),
        ]

    def __str__(self) -> str:
        return self.domain


class DomainClaim(models.Model):
    """Every domain a site answers to: its current domain and, during the grace
    period, its previous one. The unique index makes "a domain may not equal another
    site's domain or previous domain" hold under concurrency, which two unique
    columns on `Site` alone cannot (Plausible uses a trigger for this)."""

    domain = models.CharField(max_length=DOMAIN_MAX_LENGTH, unique=True)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="domain_claims")

    def __str__(self) -> str:
        return self.domain


class InstallationType(models.TextChoices):
    MANUAL = "manual", "Manual"
    WORDPRESS = "wordpress", "WordPress"
    GTM = "gtm", "Google Tag Manager"
    NPM = "npm", "npm"


class TrackerScriptConfiguration(models.Model):
    """How the site's tracker script is set up. One per site, created with it (or
    lazily for sites created elsewhere)."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="tracker_script_configuration"
    )
    public_id = models.CharField(
        max_length=TRACKER_ID_MAX_LENGTH, unique=True, default=new_tracker_id
    )
    # NULL is Plausible's "not set" and is what the API shows.
    installation_type = models.CharField(  # noqa: DJ001
        max_length=INSTALLATION_TYPE_MAX_LENGTH,
        choices=InstallationType.choices,
        null=True,
        blank=True,
    )
    track_404_pages = models.BooleanField(default=False)
    hash_based_routing = models.BooleanField(default=False)
    outbound_links = models.BooleanField(default=False)
    file_downloads = models.BooleanField(default=False)
    revenue_tracking = models.BooleanField(default=False)
    tagged_events = models.BooleanField(default=False)
    form_submissions = models.BooleanField(default=False)
    pageview_props = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.public_id


class Goal(models.Model):
    """An event goal (`event_name`), a page goal (`page_path`), or a scroll goal (a
    page goal with `scroll_threshold` 0..100; -1 means none)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="goals")
    # NULL, not "", marks the unused one of the two, so partial unique indexes and
    # the XOR check can tell event goals from page goals.
    event_name = models.CharField(max_length=GOAL_EVENT_NAME_MAX_LENGTH, null=True, blank=True)  # noqa: DJ001
    page_path = models.CharField(max_length=GOAL_TEXT_MAX_LENGTH, null=True, blank=True)  # noqa: DJ001
    scroll_threshold = models.SmallIntegerField(default=-1)
    display_name = models.CharField(max_length=GOAL_TEXT_MAX_LENGTH)
    # Stored with sorted keys, so equal maps are equal values on every database.
    custom_props = models.JSONField(default=dict, blank=True)
    currency = models.CharField(max_length=CURRENCY_LENGTH, null=True, blank=True)  # noqa: DJ001
    # SHA-256 of what makes a goal unique (see `goal_services.goal_keys`). Unique
    # indexes on these, not on the texts: a 2000-character name or three
    # 2000-character property values overflow PostgreSQL's btree row limit.
    target_key = models.CharField(max_length=DIGEST_LENGTH, editable=False)
    display_key = models.CharField(max_length=DIGEST_LENGTH, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(event_name__isnull=False, page_path__isnull=True)
                    | Q(event_name__isnull=True, page_path__isnull=False)
                ),
                name="goal_is_event_xor_page",
            ),
            models.CheckConstraint(
                condition=Q(scroll_threshold__gte=-1, scroll_threshold__lte=100),
                name="goal_scroll_threshold_range",
            ),
            models.UniqueConstraint(fields=["site", "target_key"], name="goal_unique_target"),
            models.UniqueConstraint(
                fields=["site", "display_key"], name="goal_unique_display_name"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def goal_type(self) -> str:
        if self.event_name is not None:
            return "event"
        return "scroll" if self.scroll_threshold > -1 else "page"


class GuestMembership(models.Model):
    """Access to one site for someone who is not a member of the site's team."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="guest_memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest_memberships"
    )
    role = models.CharField(max_length=ROLE_MAX_LENGTH, choices=GuestRole.choices)
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


class GuestInvitation(models.Model):
    """A pending guest invitation. The emailed link carries a secret token; only its
    SHA-256 hash is stored, like API keys."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="guest_invitations")
    # Stored lower-cased: guests are matched case-insensitively.
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH)
    role = models.CharField(max_length=ROLE_MAX_LENGTH, choices=GuestRole.choices)
    token_hash = models.CharField(max_length=DIGEST_LENGTH, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "email"], name="invitation_unique_site_email"),
            models.CheckConstraint(
                condition=models.Q(role__in=GuestRole.values), name="invitation_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited as {self.role} to {self.site}"
