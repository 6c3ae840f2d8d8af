"""The API's two dialects, as far as the plumbing cares: where each is mounted
and how its errors are shaped.

A viewset names its dialect (`ApiViewSet.dialect`) and its errors take that
dialect's envelope. An answer given before any view runs (a middleware's 403 or
413, the unknown-path 404, a 500) has only its path to go by: the dialect
mounted there (`dialect_for_path`), from the same prefixes the route map mounts
(config/api_routes.py)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    # Where its routes are mounted, from the site root.
    prefix: str
    # `{"error": {"message": ...}}` rather than Plausible's `{"error": ...}`.
    nested_errors: bool

    def error_body(self, message: str) -> dict:
        if self.nested_errors:
            return {"error": {"message": message}}
        return {"error": message}

    @property
    def route(self) -> str:
        """The prefix as a Django route (no leading slash)."""
        return self.prefix.removeprefix("/")


# Plausible's wire format: /api/v1/sites… (and every other API path's errors).
PLAUSIBLE = Dialect(name="plausible", prefix="/api/v1/", nested_errors=False)
# The resource-style sites API: /api/v1/analytics/sites…
RESOURCE = Dialect(name="resource", prefix="/api/v1/analytics/", nested_errors=True)


def dialect_for_path(path: str) -> Dialect:
    if path.startswith(RESOURCE.prefix) or path == RESOURCE.prefix.rstrip("/"):
        return RESOURCE
    return PLAUSIBLE
