"""Goals: validation, idempotent find-or-create under a per-site limit, deletion,
and the goals that tracker configuration flags imply (docs/plausible-compat.md#goals)."""

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from api.params import present
from sites.exceptions import InvalidInput, NotFound, NotIncluded
from sites.models import (
    CURRENCY_LENGTH,
    CUSTOM_PROPERTY_MAX_LENGTH,
    GOAL_EVENT_NAME_MAX_LENGTH,
    GOAL_TEXT_MAX_LENGTH,
    Goal,
    Site,
)
from sites.validation import TRACKER_FLAGS, at_most
from teams.models import Feature

GOAL_TYPES = ("event", "page")
MAX_PROPS = 3  # custom properties per goal
GOAL_TYPE_REQUIRED = "Parameter `goal_type` is required to create a goal"
GOAL_TYPE_INVALID = "Parameter `goal_type` must be `event` or `page`"
EVENT_NAME_REQUIRED = "Parameter `event_name` is required to create a goal"
PAGE_PATH_REQUIRED = "Parameter `page_path` is required to create a goal"
GOAL_NOT_FOUND = "Goal could not be found"
GOAL_ID_INVALID = "Parameter `goal_id` must be an integer"
LIMIT_REACHED = (
    "event_name: Maximum number of goals reached, page_path: Maximum number of goals reached"
)
DISPLAY_NAME_TAKEN = "display_name: has already been taken"
PROPS_NOT_A_MAP = "custom_props: must be a map with string keys and string values"
TOO_MANY_PROPS = f"custom_props: use at most {MAX_PROPS} properties per goal"
PROP_KEY_LENGTH = f"custom_props: key length is 1..{CUSTOM_PROPERTY_MAX_LENGTH} characters"
PROP_VALUE_LENGTH = f"custom_props: value length is 1..{GOAL_TEXT_MAX_LENGTH} characters"
SCROLL_RANGE = "scroll_threshold: Should be -1 (missing) or in range [0, 100]"
BLANK_GOAL = (
    "display_name: can't be blank, page_path: this field is required and must start "
    "with a /, event_name: this field is required and cannot be blank"
)
RESERVED_EVENT_NAMES = frozenset({"engagement", "__journey_end__"})

# Tracker flags whose switching on creates, and off deletes, an event goal.
TRACKER_GOALS = {
    "track_404_pages": "404",
    "outbound_links": "Outbound Link: Click",
    "file_downloads": "File Download",
    "form_submissions": "Form: Submission",
}


def max_goals_per_site() -> int:
    return settings.MAX_GOALS_PER_SITE


@dataclass
class GoalSpec:
    event_name: str | None = None
    page_path: str | None = None
    scroll_threshold: int = -1
    display_name: str = ""
    custom_props: dict = field(default_factory=dict)
    currency: str | None = None
    errors: list[str] = field(default_factory=list)
    props_given: bool = False  # a non-empty `custom_props` was sent, valid or not

    @property
    def target_key(self) -> str:
        return target_key(
            event_name=self.event_name,
            page_path=self.page_path,
            scroll_threshold=self.scroll_threshold,
            custom_props=self.custom_props,
        )

    def same_target(self) -> Q:
        """The same event or page, whatever the properties (Plausible's lookup)."""
        if self.event_name is not None:
            return Q(event_name=self.event_name)
        return Q(page_path=self.page_path, scroll_threshold=self.scroll_threshold)


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def target_key(
    *, event_name: str | None, page_path: str | None, scroll_threshold: int, custom_props: dict
) -> str:
    """What makes a goal unique on its site: Plausible's (event_name, custom_props)
    for event goals, (page_path, scroll_threshold, custom_props) for page goals."""
    if event_name is not None:
        return _digest(["event", event_name, custom_props])
    return _digest(["page", page_path, scroll_threshold, custom_props])


def display_key(display_name: str) -> str:
    return _digest(display_name)


def _too_long(field_name: str, limit: int) -> str:
    return f"{field_name}: {at_most(limit)}"


def _custom_props(raw: object, errors: list[str]) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in raw.items()
    ):
        errors.append(PROPS_NOT_A_MAP)
        return {}
    if len(raw) > MAX_PROPS:
        errors.append(TOO_MANY_PROPS)
    elif not all(1 <= len(key) <= CUSTOM_PROPERTY_MAX_LENGTH for key in raw):
        errors.append(PROP_KEY_LENGTH)
    elif not all(1 <= len(value) <= GOAL_TEXT_MAX_LENGTH for value in raw.values()):
        errors.append(PROP_VALUE_LENGTH)
    # Sorted keys: equal maps are stored identically, so the unique index sees them.
    return dict(sorted(raw.items()))


def _scroll_threshold(raw: object, errors: list[str]) -> int:
    if not present(raw):
        return -1
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        errors.append("scroll_threshold: is invalid")
        return -1
    try:
        value = int(raw)
    except ValueError:
        errors.append("scroll_threshold: is invalid")
        return -1
    if not -1 <= value <= 100:
        errors.append(SCROLL_RANGE)
        return -1
    return value


def goal_spec(*, goal_type: object, params: dict) -> GoalSpec:
    """Dispatch on `goal_type` and validate. Dispatch problems raise at once (as
    Plausible's controller does); field problems are collected in `errors`."""
    if goal_type not in GOAL_TYPES:
        raise InvalidInput(GOAL_TYPE_INVALID)
    spec = GoalSpec()
    errors = spec.errors
    spec.props_given = bool(params.get("custom_props"))
    spec.custom_props = _custom_props(params.get("custom_props"), errors)
    raw_display = params.get("display_name")
    if raw_display is not None and not isinstance(raw_display, str):
        errors.append("display_name: is invalid")
        raw_display = None
    if goal_type == "event":
        event_name = params.get("event_name")
        if not isinstance(event_name, str):
            raise InvalidInput(EVENT_NAME_REQUIRED)
        spec.event_name = event_name.strip()
        if not spec.event_name:
            errors.append(BLANK_GOAL)
        elif len(spec.event_name) > GOAL_EVENT_NAME_MAX_LENGTH:
            errors.append(_too_long("event_name", GOAL_EVENT_NAME_MAX_LENGTH))
        elif spec.event_name in RESERVED_EVENT_NAMES:
            errors.append(
                f"event_name: The event name '{spec.event_name}' is reserved and cannot "
                "be used as a goal"
            )
        currency = params.get("currency")
        if present(currency):
            if (
                isinstance(currency, str)
                and len(currency.strip()) == CURRENCY_LENGTH
                and currency.isalpha()
            ):
                spec.currency = currency.strip().upper()
            else:
                errors.append("currency: is invalid")
        default_display = spec.event_name
    else:
        if "page_path" not in params:
            raise InvalidInput(PAGE_PATH_REQUIRED)
        page_path = params["page_path"]
        if page_path is None or (isinstance(page_path, str) and not page_path.strip()):
            errors.append(BLANK_GOAL)
            page_path = "/"
        elif not isinstance(page_path, str):
            errors.append("page_path: is invalid")
            page_path = "/"
        page_path = page_path.strip()
        spec.page_path = page_path if page_path.startswith("/") else "/" + page_path
        if len(spec.page_path) > GOAL_TEXT_MAX_LENGTH:
            errors.append(_too_long("page_path", GOAL_TEXT_MAX_LENGTH))
        spec.scroll_threshold = _scroll_threshold(params.get("scroll_threshold"), errors)
        default_display = f"Visit {spec.page_path}"
    spec.display_name = (raw_display or "").strip() or default_display
    if len(spec.display_name) > GOAL_TEXT_MAX_LENGTH:
        errors.append(_too_long("display_name", GOAL_TEXT_MAX_LENGTH))
    return spec


def _goal_count_and_match(site: Site, spec: GoalSpec) -> dict:
    """Lock the site row (so the limit holds under concurrency) and, in the same
    query, count its goals, find an identical one, and see whether one for the same
    event or page exists (then the limit does not apply, as in Plausible)."""
    count = (
        Goal.objects.filter(site=OuterRef("pk"))
        .order_by()
        .values("site")
        .annotate(total=Count("pk"))
        .values("total")
    )
    goals = Goal.objects.filter(site=OuterRef("pk"))
    match = goals.filter(target_key=spec.target_key).values("pk")[:1]
    return (
        Site.objects.select_for_update(of=("self",))
        .filter(pk=site.pk)
        .annotate(
            goal_count=Coalesce(Subquery(count), 0),
            match_id=Subquery(match),
            same_target=Exists(goals.filter(spec.same_target())),
        )
        .values("goal_count", "match_id", "same_target")
        .get()
    )


def _check_currency(goal: Goal, spec: GoalSpec) -> Goal:
    if goal.event_name is not None and goal.currency != spec.currency:
        currency = goal.currency or spec.currency
        raise InvalidInput(
            f"event_name: '{goal.event_name}' (with currency: {currency}) has already been taken"
        )
    return goal


def find_or_create_goal(*, site: Site, goal_type: object, params: dict) -> Goal:
    """PUT /api/v1/sites/goals. An identical goal is returned as it is (same id);
    concurrent identical requests leave one row."""
    spec = goal_spec(goal_type=goal_type, params=params)
    if spec.currency and not site.team.has_feature(Feature.REVENUE_GOALS):
        # Plausible answers a missing Revenue Goals feature with this same message.
        raise NotIncluded(Feature.PROPS.label)
    if spec.props_given and not site.team.has_feature(Feature.PROPS):
        raise NotIncluded(Feature.PROPS.label)
    if spec.errors:
        raise InvalidInput(", ".join(spec.errors))
    try:
        with transaction.atomic():
            row = _goal_count_and_match(site, spec)
            if row["match_id"] is not None:
                return _check_currency(Goal.objects.get(pk=row["match_id"]), spec)
            if not row["same_target"] and row["goal_count"] >= max_goals_per_site():
                raise InvalidInput(LIMIT_REACHED)
            return Goal.objects.create(
                site=site,
                event_name=spec.event_name,
                page_path=spec.page_path,
                scroll_threshold=spec.scroll_threshold,
                display_name=spec.display_name,
                custom_props=spec.custom_props,
                currency=spec.currency,
                target_key=spec.target_key,
                display_key=display_key(spec.display_name),
            )
    except IntegrityError:
        # A concurrent identical request won, or the display name is another goal's.
        pass
    existing = Goal.objects.filter(site=site, target_key=spec.target_key).first()
    if existing is None:
        # As Plausible: a goal for the same event or page, whatever its properties.
        existing = Goal.objects.filter(spec.same_target(), site=site).order_by("pk").first()
    if existing is None:
        raise InvalidInput(DISPLAY_NAME_TAKEN)
    return _check_currency(existing, spec)


def parse_goal_id(raw: object) -> int:
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InvalidInput(GOAL_ID_INVALID)
    return int(text)


def delete_goal(*, site: Site, goal_id: object) -> None:
    """DELETE /api/v1/sites/goals/:goal_id: only a goal of this site."""
    deleted, _ = Goal.objects.filter(site=site, pk=parse_goal_id(goal_id)).delete()
    if not deleted:
        raise NotFound(GOAL_NOT_FOUND)


def sync_tracker_goals(*, site: Site, before: dict | None, after) -> None:
    """A flag switched on creates its goal; switched off deletes it. Called
    inside the caller's transaction (docs/plausible-compat.md#tracker-configuration)."""
    for flag in TRACKER_FLAGS:
        event_name = TRACKER_GOALS.get(flag)
        if event_name is None:
            continue
        was_on = bool(before and before.get(flag))
        is_on = bool(getattr(after, flag))
        key = target_key(
            event_name=event_name, page_path=None, scroll_threshold=-1, custom_props={}
        )
        if is_on and not was_on:
            try:
                with transaction.atomic():
                    Goal.objects.get_or_create(
                        site=site,
                        target_key=key,
                        defaults={
                            "event_name": event_name,
                            "display_name": event_name,
                            "display_key": display_key(event_name),
                        },
                    )
            except IntegrityError:
                pass  # another goal already uses this display name; keep it
        elif was_on and not is_on:
            Goal.objects.filter(site=site, target_key=key).delete()
