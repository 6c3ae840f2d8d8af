"""Shared links: idempotent find-or-create by name (docs/plausible-compat.md#shared-links)."""

from urllib.parse import quote_plus

from django.conf import settings
from django.db import IntegrityError, transaction

from sharedlinks.models import SHARED_LINK_NAME_MAX_LENGTH, SharedLink
from sites.exceptions import InvalidInput, NotIncluded
from sites.models import Site
from sites.validation import at_most
from teams.models import Feature

NAME_REQUIRED = "Parameter `name` is required to create a shared link"
NAME_NOT_TEXT = "Parameter `name` must be a string"
NAME_BLANK = "can't be blank"
NAME_TOO_LONG = at_most(SHARED_LINK_NAME_MAX_LENGTH)
# Used by Plausible's WordPress plugin through its Plugins API.
RESERVED_NAMES = frozenset({"WordPress - Shared Dashboard"})
NAME_RESERVED = "This name is reserved. Please choose another one"


def shared_link_url(link: SharedLink, site: Site) -> str:
    """`<BASE_URL>/share/<form-encoded domain>?auth=<slug>`."""
    return f"{settings.BASE_URL}/share/{quote_plus(site.domain)}?auth={link.slug}"


def find_or_create_shared_link(*, site: Site, name: str) -> SharedLink:
    """An existing link of this name is returned whatever the entitlements; a new one
    needs the Shared Links feature. Concurrent identical calls leave one row."""
    existing = SharedLink.objects.filter(site=site, name=name).first()
    if existing is not None:
        return existing
    if not site.team.has_feature(Feature.SHARED_LINKS):
        raise NotIncluded(Feature.SHARED_LINKS.label)
    if not name.strip():
        raise InvalidInput(NAME_BLANK)
    if len(name) > SHARED_LINK_NAME_MAX_LENGTH:
        raise InvalidInput(NAME_TOO_LONG)
    if name in RESERVED_NAMES:
        raise InvalidInput(NAME_RESERVED)
    try:
        with transaction.atomic():
            return SharedLink.objects.create(site=site, name=name)
    except IntegrityError:
        return SharedLink.objects.get(site=site, name=name)
