from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone

from api.querysets import SignallingQuerySet
from apikeys.keys import PREFIX_LENGTH
from apikeys.scopes import DEFAULT_SCOPES, PROVISION_SCOPE
from teams.models import Team

API_KEY_NAME_MAX_LENGTH = 200
KEY_HASH_LENGTH = 64  # a SHA-256 hex digest (apikeys.keys.hash_key)


def default_scopes() -> list[str]:
    return list(DEFAULT_SCOPES)


class ApiKey(models.Model):
    """An API key. The raw key is shown once at creation and never stored: we keep
    its SHA-256 hex digest (for lookup) and its first 6 characters (for people)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    # Null team: a legacy key, reaching every team of its user and their guest sites.
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="api_keys"
    )
    name = models.CharField(max_length=API_KEY_NAME_MAX_LENGTH)
    key_prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=KEY_HASH_LENGTH, unique=True, editable=False)
    scopes = models.JSONField(default=default_scopes)
    allowed_networks = models.JSONField(
        default=list,
        blank=True,
        help_text="Addresses or CIDR ranges the key may be used from; empty allows any.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Who issued the key: the staff user over HTTP or in the admin; empty for keys
    # issued from the command line (without --issued-by) and once that user is gone.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="issued_api_keys",
    )

    # Bulk writes are heard (api.querysets): a principal cache remembers keys.
    objects = SignallingQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("key_hash"), KEY_HASH_LENGTH),
                name="apikey_hash_is_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.name})"

    @property
    def is_legacy(self) -> bool:
        return self.team_id is None

    @property
    def kind(self) -> str:
        return "sites_api" if PROVISION_SCOPE in (self.scopes or []) else "stats_api"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now
