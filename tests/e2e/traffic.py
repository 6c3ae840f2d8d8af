"""Concurrent API traffic for fault tests, and the checks made on it afterwards.

Writers create sites with unique domains (with a tracker configuration that
brings a goal of its own) and put an event goal on each site they created;
readers fetch one known site and the site list. Every exchange is recorded with
its status, headers, body and times, so a test can say what each client saw and
compare it with what the database holds."""

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from api.outages import DATABASE_UNAVAILABLE
from api.ratelimit import UNAVAILABLE_MESSAGE

CREATE, GOAL, READ_SITE, LIST_SITES = "create", "goal", "read site", "list sites"
WRITES = (CREATE, GOAL)
OUTAGE_MESSAGES = {DATABASE_UNAVAILABLE, UNAVAILABLE_MESSAGE}
EVENT_GOAL = "Signup"
# outbound_links makes the site's own "Outbound Link: Click" goal, in the same
# transaction as the site, its domain claim and its configuration.
TRACKER_CONFIGURATION = {"installation_type": "manual", "outbound_links": True}
TRACKER_GOAL = "Outbound Link: Click"


@dataclass
class Exchange:
    kind: str
    domain: str
    started: float  # time.monotonic()
    finished: float = 0.0
    status: int | None = None  # None: no HTTP answer (refused, reset, timed out)
    headers: dict = field(default_factory=dict)
    body: object = None
    error: str | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None


def call(base: str, key: str, kind: str, domain: str, method: str, path: str, body=None):
    """One request on a fresh connection (gunicorn's sync workers close each one)."""
    target = urlsplit(base)
    exchange = Exchange(kind=kind, domain=domain, started=time.monotonic())
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=20)
    try:
        connection.request(
            method,
            path,
            body=json.dumps(body) if body is not None else None,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        raw = response.read()
        exchange.status = response.status
        exchange.headers = {name.lower(): value for name, value in response.getheaders()}
        try:
            exchange.body = json.loads(raw)
        except ValueError:
            exchange.body = raw.decode(errors="replace")
    except OSError as exc:
        exchange.error = f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
        exchange.finished = time.monotonic()
    return exchange


class Traffic:
    """Writer and reader threads running until `stop()` (or the with-block ends)."""

    def __init__(
        self,
        base: str,
        key: str,
        *,
        tag: str,
        writers: int,
        readers: int = 0,
        known_domain: str | None = None,
    ):
        self.base, self.key, self.tag = base, key, tag
        self.known_domain = known_domain
        self.exchanges: list[Exchange] = []
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.threads = [
            threading.Thread(target=self._write, args=(n,), daemon=True) for n in range(writers)
        ] + [threading.Thread(target=self._read, args=(n,), daemon=True) for n in range(readers)]

    def __enter__(self) -> "Traffic":
        self.running.set()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=30)

    def _record(self, exchange: Exchange) -> Exchange:
        with self.lock:
            self.exchanges.append(exchange)
        return exchange

    def _call(self, *args, **kwargs) -> Exchange:
        return self._record(call(self.base, self.key, *args, **kwargs))

    def _write(self, writer: int) -> None:
        number = 0
        while self.running.is_set():
            number += 1
            domain = f"{self.tag}-w{writer}-{number}.faults.test"
            body = {"domain": domain, "tracker_script_configuration": TRACKER_CONFIGURATION}
            created = self._call(CREATE, domain, "POST", "/api/v1/sites", body)
            if created.status == 200:
                goal = {"site_id": domain, "goal_type": "event", "event_name": EVENT_GOAL}
                self._call(GOAL, domain, "PUT", "/api/v1/sites/goals", goal)
            elif not created.answered:
                time.sleep(0.05)  # the server is not accepting: don't spin

    def _read(self, reader: int) -> None:
        while self.running.is_set():
            if reader % 2 == 0:
                self._call(
                    READ_SITE, self.known_domain, "GET", f"/api/v1/sites/{self.known_domain}"
                )
            else:
                self._call(LIST_SITES, "", "GET", "/api/v1/sites?limit=5")


# --- What the clients saw ---------------------------------------------------------


def describe(exchange: Exchange) -> str:
    return f"{exchange.kind} {exchange.domain}: {exchange.status} {exchange.body!r:.300}"


def unexpected_answers(exchanges: list[Exchange]) -> list[str]:
    """Answers other than 200 and a proper 503 (Retry-After, the JSON error body)."""
    problems = []
    for exchange in exchanges:
        if exchange.status == 200:
            continue
        if exchange.status == 503:
            body = exchange.body
            retry_after = exchange.headers.get("retry-after", "")
            if (
                retry_after.isdigit()
                and isinstance(body, dict)
                and body.get("error") in OUTAGE_MESSAGES
            ):
                continue
        problems.append(describe(exchange))
    return problems


def first_success_after(exchanges: list[Exchange], moment: float) -> float | None:
    """Seconds from `moment` until the first 200 to a request sent at or after it."""
    finished = [e.finished for e in exchanges if e.status == 200 and e.started >= moment]
    return min(finished) - moment if finished else None


def statuses_between(exchanges: list[Exchange], start: float, end: float) -> list[int | None]:
    return [e.status for e in exchanges if start <= e.started <= end]


# --- What the database holds ---------------------------------------------------------

_STORED_SITES = """
SELECT s.domain,
       EXISTS (SELECT 1 FROM analytics_sites_domainclaim c
               WHERE c.site_id = s.id AND c.domain = s.domain),
       t.installation_type,
       t.outbound_links,
       t.public_id,
       (SELECT count(*) FROM analytics_sites_goal g
        WHERE g.site_id = s.id AND g.event_name = %(tracker)s),
       (SELECT array_agg(g.id) FROM analytics_sites_goal g
        WHERE g.site_id = s.id AND g.event_name = %(event)s)
FROM analytics_sites_site s
LEFT JOIN analytics_sites_trackerscriptconfiguration t ON t.site_id = s.id
WHERE s.domain LIKE %(pattern)s
"""


@dataclass(frozen=True)
class StoredSite:
    domain: str
    claimed: bool
    installation_type: str | None
    outbound_links: bool | None
    tracker_id: str | None
    tracker_goals: int
    event_goal_ids: tuple[int, ...]

    @property
    def whole(self) -> bool:
        return (
            self.claimed
            and self.installation_type == TRACKER_CONFIGURATION["installation_type"]
            and self.outbound_links is True
            and self.tracker_goals == 1
        )


def stored_sites(connection, tag: str) -> dict[str, StoredSite]:
    rows = connection.execute(
        _STORED_SITES, {"tracker": TRACKER_GOAL, "event": EVENT_GOAL, "pattern": f"{tag}-%"}
    ).fetchall()
    return {
        row[0]: StoredSite(*row[:6], event_goal_ids=tuple(sorted(row[6] or ()))) for row in rows
    }


def claimed_domains(connection, tag: str) -> set[str]:
    rows = connection.execute(
        "SELECT domain FROM analytics_sites_domainclaim WHERE domain LIKE %s", (f"{tag}-%",)
    ).fetchall()
    return {row[0] for row in rows}


def write_problems(
    exchanges: list[Exchange],
    stored: dict[str, StoredSite],
    claimed: set[str],
    *,
    unanswered_must_be_absent: bool = False,
) -> list[str]:
    """Every acknowledged write is stored whole, and no refused write left anything.

    A write without an HTTP answer is not acknowledged, so it need not be stored;
    with `unanswered_must_be_absent` it must not be either (a server shutting down
    gracefully answers what it read, and what it never read it never wrote)."""
    problems = []
    for exchange in exchanges:
        site = stored.get(exchange.domain)
        refused = exchange.status != 200 and (exchange.answered or unanswered_must_be_absent)
        if exchange.kind == CREATE and exchange.status == 200:
            if site is None:
                problems.append(f"acknowledged create lost: {exchange.domain}")
            elif not site.whole:
                problems.append(f"acknowledged create stored in part: {site}")
            elif exchange.body["tracker_script_configuration"]["id"] != site.tracker_id:
                problems.append(f"acknowledged create differs from the stored site: {site}")
        elif exchange.kind == CREATE and refused:
            if site is not None or exchange.domain in claimed:
                problems.append(f"create answered {exchange.status} but stored: {site}")
        elif exchange.kind == GOAL and exchange.status == 200:
            if site is None or site.event_goal_ids != (exchange.body["id"],):
                problems.append(f"acknowledged goal lost: {exchange.domain} {site}")
        elif exchange.kind == GOAL and refused and site is not None and site.event_goal_ids:
            problems.append(f"goal answered {exchange.status} but stored: {site}")
    return problems


_PROVISION = """
from accounts.services import create_user
from apikeys.services import create_api_key
from teams.services import create_team, set_team_entitlements

owner = create_user(email="faults@example.com")
team = create_team(name="Faults", owner=owner)
set_team_entitlements(
    team=team, hourly_api_request_limit=10**8, burst_request_limit=10**8, site_limit=None
)
key = create_api_key(user=owner, team=team, name="faults", scopes=["sites:provision:*"])
print(key.raw_key)
"""


def provision_team_key(server) -> str:
    """A team with its limits out of the way, and a team key that may provision:
    the services the create_* commands call, in one process instead of four."""
    return server.manage("shell", "--no-imports", "-c", _PROVISION)
