from django.db import models

from sites.ids import NANOID_LENGTH, nanoid
from sites.models import Site

SHARED_LINK_NAME_MAX_LENGTH = 255
SHARED_LINK_SLUG_LENGTH = NANOID_LENGTH


class SharedLink(models.Model):
    """A public link to a site's dashboard. Unique per (site, name), so the API's
    find-or-create holds under concurrent identical requests."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="shared_links")
    name = models.CharField(max_length=SHARED_LINK_NAME_MAX_LENGTH)
    slug = models.CharField(max_length=SHARED_LINK_SLUG_LENGTH, unique=True, default=nanoid)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="shared_link_unique_site_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"
