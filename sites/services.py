"""Writes on sites: provisioning, domain changes, tracker configuration, custom
properties, deletion. Every function runs in one transaction, and the database
constraints (unique domain claims, one configuration per site) decide races."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone as django_timezone

from accounts.models import User
from sites.exceptions import InvalidInput, LimitReached, NotIncluded, NotPermitted
from sites.goal_services import sync_tracker_goals
from sites.models import DEFAULT_TIMEZONE, DomainClaim, Site, TrackerScriptConfiguration
from sites.selectors import DOMAIN_CHANGE_GRACE
from sites.validation import (
    DOMAIN_TAKEN_MESSAGE,
    SAME_DOMAIN_MESSAGE,
    TRACKER_FLAGS,
    FieldError,
    InvalidSiteInput,
    domain_errors,
    new_site_errors,
    tracker_configuration_changes,
)
from teams.models import PERSONAL_TEAM_NAME, Feature, Membership, Role, Team

SITE_ADDING_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
CANNOT_ADD_TO_TEAM = "You can't add sites to the selected team."
AMBIGUOUS_PERSONAL_TEAM = "You must select a team with 'team_id' parameter."
SITE_LIMIT_REACHED = (
    "Your account has reached the limit of {limit} sites. To unlock more sites, "
    "please upgrade your subscription."
)

MAX_CUSTOM_PROPERTIES = 300
MAX_CUSTOM_PROPERTY_LENGTH = 300
INTERNAL_PROPERTIES = frozenset({"url", "path", "search_query"})
PROPERTY_TOO_LONG = "Parameter `property` is too long"
TOO_MANY_PROPERTIES = "Can't add any more custom properties"

_TAKEN = FieldError("domain", DOMAIN_TAKEN_MESSAGE)


# --- Provisioning -------------------------------------------------------------------


def _personal_team(user: User) -> Team:
    """The one team the user owns that has not finished setup, created if missing.
    The user's row is locked so two concurrent first sites make one personal team."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").get()
    owned = list(
        Team.objects.filter(
            setup_complete=False, memberships__user=user, memberships__role=Role.OWNER
        )[:2]
    )
    if len(owned) > 1:
        raise InvalidInput(AMBIGUOUS_PERSONAL_TEAM)
    if owned:
        return owned[0]
    team = Team.objects.create(name=PERSONAL_TEAM_NAME, setup_complete=False)
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    return team


def _ensure_team_may_add_site(team: Team) -> Team:
    """Lock the team row (so concurrent creates respect the site limit) and check
    its entitlements."""
    from apikeys.access import verify_team_entitlements  # the one copy of §3.5 rules 4-5

    team = Team.objects.select_for_update().get(pk=team.pk)
    verify_team_entitlements(team=team, feature=Feature.SITES_API)
    if team.site_limit is not None and Site.objects.filter(team=team).count() >= team.site_limit:
        raise LimitReached(SITE_LIMIT_REACHED.format(limit=team.site_limit))
    return team


def _release_domain(domain: str, *, user: User | None, now: datetime) -> None:
    """Free `domain` if it is only another site's previous domain and either its
    grace period is over or `user` owns that site (spec #7 step 3)."""
    alias_of = Site.objects.filter(domain_changed_from=domain).select_related("team").first()
    if alias_of is None:
        return
    expired = alias_of.domain_changed_at is None or (
        alias_of.domain_changed_at <= now - DOMAIN_CHANGE_GRACE
    )
    owned = (
        user is not None
        and Membership.objects.filter(team=alias_of.team, user=user, role=Role.OWNER).exists()
    )
    if expired or owned:
        _forget_previous_domain(alias_of)


def _forget_previous_domain(site: Site) -> None:
    if site.domain_changed_from:
        DomainClaim.objects.filter(site=site, domain=site.domain_changed_from).delete()
    Site.objects.filter(pk=site.pk).update(domain_changed_from=None, domain_changed_at=None)
    site.domain_changed_from = None
    site.domain_changed_at = None


def provision_site(
    *,
    user: User,
    target_team: Team | None,
    role_in_target_team: str | None,
    domain: object,
    timezone: object = DEFAULT_TIMEZONE,
    tracker_configuration: object = None,
) -> Site:
    """POST /api/v1/sites: create a site in `target_team` (the key's team or the
    requested one), else in the user's personal team. Everything, the personal team
    included, is written in one transaction or not at all."""
    if target_team is not None and role_in_target_team not in SITE_ADDING_ROLES:
        raise NotPermitted(CANNOT_ADD_TO_TEAM)
    normalized, errors = new_site_errors(domain=domain, timezone=timezone)
    if errors:
        raise InvalidSiteInput(errors)
    tracker_changes, tracker_errors = tracker_configuration_changes(tracker_configuration)
    try:
        with transaction.atomic():
            team = target_team if target_team is not None else _personal_team(user)
            team = _ensure_team_may_add_site(team)
            site = _insert_site(team=team, domain=normalized, timezone=timezone, user=user)
            if tracker_errors:
                # Reported after the site's own errors, and nothing is kept (spec #7).
                raise InvalidSiteInput(tracker_errors)
            _create_tracker_configuration(site, tracker_changes)
            return site
    except IntegrityError:
        raise InvalidSiteInput([_TAKEN]) from None


def create_site(
    *,
    team: Team,
    domain: str,
    timezone: str = DEFAULT_TIMEZONE,
    tracker_configuration: dict | None = None,
) -> Site:
    """Create a site in a known team (admin, commands, tests); same rules as the API
    except team permission."""
    normalized, errors = new_site_errors(domain=domain, timezone=timezone)
    if errors:
        raise InvalidSiteInput(errors)
    tracker_changes, tracker_errors = tracker_configuration_changes(tracker_configuration)
    if tracker_errors:
        raise InvalidSiteInput(tracker_errors)
    try:
        with transaction.atomic():
            team = _ensure_team_may_add_site(team)
            site = _insert_site(team=team, domain=normalized, timezone=timezone, user=None)
            _create_tracker_configuration(site, tracker_changes)
            return site
    except IntegrityError:
        raise InvalidSiteInput([_TAKEN]) from None


def _insert_site(*, team: Team, domain: str, timezone: str, user: User | None) -> Site:
    _release_domain(domain, user=user, now=django_timezone.now())
    site = Site.objects.create(team=team, domain=domain, timezone=timezone)
    DomainClaim.objects.create(domain=domain, site=site)
    site.team = team
    return site


def _create_tracker_configuration(site: Site, changes: dict) -> TrackerScriptConfiguration:
    configuration = TrackerScriptConfiguration.objects.create(site=site, **changes)
    sync_tracker_goals(site=site, before=None, after=configuration)
    site.tracker_script_configuration = configuration
    return configuration


# --- Updates --------------------------------------------------------------------


def tracker_configuration_for(site: Site) -> TrackerScriptConfiguration:
    """The site's configuration, created with defaults if it has none yet."""
    try:
        return site.tracker_script_configuration
    except TrackerScriptConfiguration.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            configuration = TrackerScriptConfiguration.objects.create(site=site)
    except IntegrityError:  # created concurrently
        configuration = TrackerScriptConfiguration.objects.get(site=site)
    site.tracker_script_configuration = configuration
    return configuration


UNSET = object()


def update_site(
    *, site: Site, domain: object = UNSET, tracker_configuration: object = UNSET
) -> Site:
    """PUT /api/v1/sites/:site_id. A domain change and a configuration merge happen
    together or not at all."""
    try:
        with transaction.atomic():
            site = Site.objects.select_for_update().select_related("team").get(pk=site.pk)
            # Plausible changes the domain when the value is truthy (null/false: no change).
            if domain is not UNSET and domain is not None and domain is not False:
                _change_domain(site, domain)
            configuration = TrackerScriptConfiguration.objects.filter(site=site).first()
            if configuration is None:
                configuration = TrackerScriptConfiguration.objects.create(site=site)
            if tracker_configuration is not UNSET:
                _merge_tracker_configuration(site, configuration, tracker_configuration)
            site.tracker_script_configuration = configuration
            return site
    except IntegrityError:
        raise InvalidSiteInput([_TAKEN]) from None


def _change_domain(site: Site, raw_domain: object) -> None:
    normalized, errors = domain_errors(raw_domain)
    if errors:
        raise InvalidSiteInput(errors)
    if normalized == site.domain:
        raise InvalidSiteInput([FieldError("domain", SAME_DOMAIN_MESSAGE)])
    now = django_timezone.now()
    previous = site.domain
    if site.domain_changed_from:
        # Only the latest previous domain keeps resolving.
        DomainClaim.objects.filter(site=site, domain=site.domain_changed_from).delete()
    if normalized != site.domain_changed_from:
        _release_domain(normalized, user=None, now=now)
    # A clash raises IntegrityError, which rolls the caller's transaction back.
    DomainClaim.objects.create(domain=normalized, site=site)
    site.domain = normalized
    site.domain_changed_from = previous
    site.domain_changed_at = now
    site.save(update_fields=["domain", "domain_changed_from", "domain_changed_at"])


def _merge_tracker_configuration(
    site: Site, configuration: TrackerScriptConfiguration, raw: object
) -> None:
    changes, errors = tracker_configuration_changes(raw)
    if errors:
        raise InvalidSiteInput(errors)
    if not changes:
        return
    before = {flag: getattr(configuration, flag) for flag in TRACKER_FLAGS}
    for field, value in changes.items():
        setattr(configuration, field, value)
    configuration.save(update_fields=list(changes))
    sync_tracker_goals(site=site, before=before, after=configuration)


def delete_site(*, site: Site) -> None:
    """Remove the site and everything hanging off it (goals, shared links, guests,
    invitations, configuration, domain claims) in one transaction."""
    with transaction.atomic():
        Site.objects.filter(pk=site.pk).delete()


def prune_expired_domain_changes(*, now: datetime | None = None) -> int:
    """Free previous domains whose grace period is over (a cron job may call
    `manage.py prune_domain_changes`; the services also do it lazily)."""
    cutoff = (now or django_timezone.now()) - DOMAIN_CHANGE_GRACE
    pruned = 0
    for site in Site.objects.filter(
        domain_changed_at__lte=cutoff, domain_changed_from__isnull=False
    ):
        with transaction.atomic():
            _forget_previous_domain(site)
        pruned += 1
    return pruned


# --- Custom properties ----------------------------------------------------------


def add_custom_properties(*, site: Site, properties: list[str]) -> None:
    """PUT /api/v1/sites/custom-props: prepend to the allow-list, trimmed and
    de-duplicated. Internal properties need no entitlement."""
    if not set(properties) <= INTERNAL_PROPERTIES and not site.team.has_feature(Feature.PROPS):
        raise NotIncluded(Feature.PROPS.label)
    with transaction.atomic():
        current = (
            Site.objects.select_for_update()
            .values_list("allowed_event_props", flat=True)
            .get(pk=site.pk)
        ) or []
        updated = list(dict.fromkeys(name.strip() for name in [*properties, *current]))
        if any(not 1 <= len(name) <= MAX_CUSTOM_PROPERTY_LENGTH for name in updated):
            raise InvalidInput(PROPERTY_TOO_LONG)
        if len(updated) > MAX_CUSTOM_PROPERTIES:
            raise InvalidInput(TOO_MANY_PROPERTIES)
        if updated != current:
            Site.objects.filter(pk=site.pk).update(allowed_event_props=updated)
        site.allowed_event_props = updated


def remove_custom_property(*, site: Site, name: str) -> None:
    """DELETE /api/v1/sites/custom-props/*property: removing an unknown name is fine."""
    with transaction.atomic():
        current = (
            Site.objects.select_for_update()
            .values_list("allowed_event_props", flat=True)
            .get(pk=site.pk)
        ) or []
        updated = [existing for existing in current if existing != name]
        if updated != current:
            Site.objects.filter(pk=site.pk).update(allowed_event_props=updated)
        site.allowed_event_props = updated
