"""Writes on sites: provisioning, domain changes, tracker configuration, custom
properties, deletion. Every function runs in one transaction, and the database
constraints (unique domain claims, one configuration per site) decide races."""

from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone as django_timezone

from accounts.models import User
from sites.domains import previous_domain_cutoff
from sites.exceptions import Conflict, InvalidInput, LimitReached, NotIncluded, NotPermitted
from sites.goal_services import sync_tracker_goals
from sites.models import (
    CUSTOM_PROPERTY_MAX_LENGTH,
    DEFAULT_TIMEZONE,
    DomainClaim,
    Site,
    TrackerScriptConfiguration,
)
from sites.validation import (
    DOMAIN_TAKEN_MESSAGE,
    SAME_DOMAIN_MESSAGE,
    TRACKER_FLAGS,
    FieldError,
    InvalidSiteInput,
    domain_errors,
    name_errors,
    new_site_errors,
    public_stats_errors,
    tracker_configuration_changes,
)
from teams.entitlements import verify_team_entitlements
from teams.models import PERSONAL_TEAM_NAME, WRITE_ROLES, Feature, Membership, Role, Team

CANNOT_ADD_TO_TEAM = "You can't add sites to the selected team."
AMBIGUOUS_PERSONAL_TEAM = "You must select a team with 'team_id' parameter."
SITE_LIMIT_REACHED = (
    "Your account has reached the limit of {limit} sites. To unlock more sites, "
    "please upgrade your subscription."
)

MAX_CUSTOM_PROPERTIES = 300
INTERNAL_PROPERTIES = frozenset({"url", "path", "search_query"})
CONCURRENT_RENAME = "The site was changed by another request at the same time. Try again."
PROPERTY_TOO_LONG = "Parameter `property` is too long"
TOO_MANY_PROPERTIES = "Can't add any more custom properties"

_TAKEN = FieldError("domain", DOMAIN_TAKEN_MESSAGE)
# "Not given", where None is a value a client may send.
UNSET = object()


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
    team = Team.objects.select_for_update().get(pk=team.pk)
    verify_team_entitlements(team=team, feature=Feature.SITES_API)
    if team.site_limit is not None and Site.objects.filter(team=team).count() >= team.site_limit:
        raise LimitReached(SITE_LIMIT_REACHED.format(limit=team.site_limit))
    return team


def _release_domain(domain: str, *, team_id: int | None, user: User | None) -> bool:
    """Free `domain` if it is only another site's previous domain and either its
    grace period is over, or `user` owns the alias's team and the claiming site goes
    into that same team (`team_id`). Plausible asks only the first half: then
    a key of the owner's team C could take, and cut off, an alias that team A's
    integrations still send to. Returns whether it was freed, so the caller can
    try its write again (docs/plausible-compat.md#previous-domains)."""
    alias_of = Site.objects.filter(domain_changed_from=domain).first()
    if alias_of is None:
        return False
    expired = alias_of.domain_changed_at is None or (
        alias_of.domain_changed_at <= previous_domain_cutoff()
    )
    owned_here = (
        user is not None
        and alias_of.team_id == team_id
        and Membership.objects.filter(team=alias_of.team_id, user=user, role=Role.OWNER).exists()
    )
    if not (expired or owned_here):
        return False
    with transaction.atomic():
        _forget_previous_domain(alias_of)
    return True


def _forget_previous_domain(site: Site) -> None:
    """Drop the site's previous domain, if it is still the one we read: a rename
    that won meanwhile has made it the claim of its new domain, which stays."""
    alias = site.domain_changed_from
    if alias:
        forgotten = Site.objects.filter(pk=site.pk, domain_changed_from=alias).update(
            domain_changed_from=None, domain_changed_at=None
        )
        if forgotten:
            DomainClaim.objects.filter(site=site, domain=alias).delete()
    site.domain_changed_from = None
    site.domain_changed_at = None


def _claiming(domain: str, *, team_of: Callable[[], int | None], user: User | None, write):
    """Run `write` (a transaction that claims `domain`). The unique claim index
    decides races; when it refuses, a previous domain that may be taken over is
    freed and the write tried once more (the cheap path costs no extra query).
    `team_of()` is the id of the team the claiming site goes into (known once
    `write` has run)."""
    try:
        return write()
    except IntegrityError:
        pass
    if _release_domain(domain, team_id=team_of(), user=user):
        try:
            return write()
        except IntegrityError:
            pass
    raise InvalidSiteInput([_TAKEN])


def provision_site(
    *,
    user: User,
    target_team: Team | None,
    role_in_target_team: str | None,
    domain: object,
    timezone: object = DEFAULT_TIMEZONE,
    tracker_configuration: object = None,
    name: object = UNSET,
) -> Site:
    """Create a site (POST in both dialects) in `target_team` (the key's team or the
    requested one), else in the user's personal team. Everything, the personal team
    included, is written in one transaction or not at all. Without a `name`, the
    site is named after its domain."""
    if target_team is not None and role_in_target_team not in WRITE_ROLES:
        raise NotPermitted(CANNOT_ADD_TO_TEAM)
    normalized, errors = new_site_errors(domain=domain, timezone=timezone)
    display_name = None
    if name is not UNSET:
        display_name, problems = name_errors(name)
        errors = [*errors, *problems]
    tracker_changes, tracker_errors = tracker_configuration_changes(tracker_configuration)
    # Plausible's order: the team (and its site limit) before the site's fields, and
    # the tracker configuration after them (docs/plausible-compat.md#create-a-site).
    return _create_site(
        team=lambda: target_team if target_team is not None else _personal_team(user),
        user=user,
        domain=normalized,
        timezone=timezone,
        name=display_name,
        tracker_changes=tracker_changes,
        field_errors=errors,
        tracker_errors=tracker_errors,
    )


def create_site(
    *,
    team: Team,
    domain: str,
    timezone: str = DEFAULT_TIMEZONE,
    tracker_configuration: dict | None = None,
) -> Site:
    """Create a site in a known team (admin, commands, tests): the API's rules
    except team permission. Invalid input is refused before anything is locked."""
    normalized, errors = new_site_errors(domain=domain, timezone=timezone)
    if errors:
        raise InvalidSiteInput(errors)
    tracker_changes, tracker_errors = tracker_configuration_changes(tracker_configuration)
    if tracker_errors:
        raise InvalidSiteInput(tracker_errors)
    # No user: nobody may take back a previous domain in its grace period.
    return _create_site(
        team=lambda: team,
        user=None,
        domain=normalized,
        timezone=timezone,
        name=None,
        tracker_changes=tracker_changes,
        field_errors=[],
        tracker_errors=[],
    )


def _create_site(
    *,
    team: Callable[[], Team],
    user: User | None,
    domain: str | None,
    timezone: object,
    name: str | None,
    tracker_changes: dict,
    field_errors: list[FieldError],
    tracker_errors: list[FieldError],
) -> Site:
    """The one way a site comes to be: in one transaction, lock `team()` and check
    its entitlements and site limit, refuse `field_errors`, insert the site (named
    `name`, else after its domain) with its domain claim, refuse `tracker_errors`,
    then create its tracker configuration. A claim refused by another site's
    previous domain goes through `_claiming`, which may free it for `user`."""
    # The team the site goes into, for `_claiming`. A personal team created by a
    # write that was rolled back owns no alias, so its stale id matches none.
    resolved: list[int] = []

    @transaction.atomic
    def write() -> Site:
        chosen = team()
        resolved[:] = [chosen.pk]
        chosen = _ensure_team_may_add_site(chosen)
        if field_errors:
            raise InvalidSiteInput(field_errors)
        site = _insert_site(team=chosen, domain=domain, timezone=timezone, name=name)
        if tracker_errors:
            raise InvalidSiteInput(tracker_errors)
        _create_tracker_configuration(site, tracker_changes)
        return site

    return _claiming(
        domain, team_of=lambda: resolved[0] if resolved else None, user=user, write=write
    )


def _insert_site(*, team: Team, domain: str, timezone: str, name: str | None = None) -> Site:
    site = Site.objects.create(team=team, domain=domain, timezone=timezone, name=name or domain)
    DomainClaim.objects.create(domain=domain, site=site)
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


def update_site(
    *,
    site: Site,
    domain: object = UNSET,
    tracker_configuration: object = UNSET,
    name: object = UNSET,
    public_stats: object = UNSET,
) -> Site:
    """Change a site (PUT in the Plausible dialect, PATCH in the resource one). A
    domain change and the other changes happen together or not at all; the old
    domain keeps resolving for 72 hours. Plausible changes the domain when the value
    is truthy (null or false: no change). Every invalid field is reported."""
    normalized = None
    errors: list[FieldError] = []
    if domain is not UNSET and domain is not None and domain is not False:
        normalized, errors = domain_errors(domain)
        if not errors and normalized == site.domain:
            errors = [FieldError("domain", SAME_DOMAIN_MESSAGE)]
    fields: dict = {}
    if name is not UNSET:
        fields["name"], problems = name_errors(name)
        errors += problems
    if public_stats is not UNSET:
        fields["public_stats"], problems = public_stats_errors(public_stats)
        errors += problems
    if errors:
        raise InvalidSiteInput(errors)
    original = (site.domain, site.domain_changed_from, site.domain_changed_at)

    @transaction.atomic
    def write() -> Site:
        site.domain, site.domain_changed_from, site.domain_changed_at = original
        if normalized is not None:
            _change_domain(site, normalized)
        if fields:
            Site.objects.filter(pk=site.pk).update(**fields)
            for field, value in fields.items():
                setattr(site, field, value)
        configuration = tracker_configuration_for(site)
        if tracker_configuration is not UNSET:
            _merge_tracker_configuration(site, configuration, tracker_configuration)
        return site

    try:
        if normalized is None:
            return write()
        # A rename never takes over a previous domain in its grace period (user
        # None): only one that has expired, whoever asks.
        return _claiming(normalized, team_of=lambda: site.team_id, user=None, write=write)
    except BaseException:
        site.domain, site.domain_changed_from, site.domain_changed_at = original
        raise


def _change_domain(site: Site, normalized: str) -> None:
    """The new domain takes a claim (the old previous domain's row is reused, so it
    stops resolving); the current domain's claim stays, as the previous domain.
    The conditional update refuses a concurrent rename of the same site."""
    alias = site.domain_changed_from
    if alias is None:
        DomainClaim.objects.create(domain=normalized, site=site)
    elif alias != normalized:
        reused = DomainClaim.objects.filter(site=site, domain=alias).update(domain=normalized)
        if not reused:  # the alias was freed meanwhile (grace period over): claim anew
            DomainClaim.objects.create(domain=normalized, site=site)
    now = django_timezone.now()
    updated = Site.objects.filter(pk=site.pk, domain=site.domain).update(
        domain=normalized, domain_changed_from=site.domain, domain_changed_at=now
    )
    if not updated:
        raise Conflict(CONCURRENT_RENAME)
    site.domain, site.domain_changed_from, site.domain_changed_at = normalized, site.domain, now


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
    cutoff = previous_domain_cutoff(now)
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
        if any(not 1 <= len(name) <= CUSTOM_PROPERTY_MAX_LENGTH for name in updated):
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
