"""Keyset (cursor) pagination with Plausible's meta semantics (docs/plausible-compat.md#pagination).

Cursors are opaque URL-safe base64 of a small JSON object; anything else sent as a
cursor is a 400, never a 500."""

import base64
import binascii
import json
import re
from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from api import errors
from api.params import present

DEFAULT_LIMIT = 100
MAX_LIMIT = 100
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


@dataclass(frozen=True)
class Page:
    items: list
    meta: dict


def encode_cursor(value: int, field: str = "id") -> str:
    payload = json.dumps({field: value}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: object, name: str, field: str = "id") -> int:
    invalid = errors.BadRequest(errors.INVALID_CURSOR.format(name=name))
    if not isinstance(cursor, str) or len(cursor) > 200:
        raise invalid
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    value = payload.get(field) if isinstance(payload, dict) else None
    lowest = 0 if field == "id" else -(2**63)
    if not isinstance(value, int) or isinstance(value, bool) or not lowest <= value < 2**63:
        raise invalid
    return value


def paginate_by_sort_key(fetch, params: dict, field: str) -> Page:
    """Keyset pagination over an ascending integer sort key that spans several
    tables (guests: memberships then invitations). `fetch(after=, before=, count=)`
    returns `(sort_key, item)` pairs: ascending after `after`, or descending before
    `before`, at most `count` of them."""
    limit = parse_limit(params.get("limit"))
    after, before = params.get("after"), params.get("before")
    if present(before) and not present(after):
        cursor = decode_cursor(before, "before", field)
        rows = fetch(after=None, before=cursor, count=limit + 1)
        more = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        meta_before = encode_cursor(rows[0][0], field) if rows and more else None
        meta_after = encode_cursor(rows[-1][0], field) if rows else None
    else:
        cursor = decode_cursor(after, "after", field) if present(after) else None
        rows = fetch(after=cursor, before=None, count=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        meta_before = encode_cursor(rows[0][0], field) if rows and cursor is not None else None
        meta_after = encode_cursor(rows[-1][0], field) if more else None
    return Page(
        items=[item for _, item in rows],
        meta={"after": meta_after, "before": meta_before, "limit": limit},
    )


def parse_limit(raw: object) -> int:
    """A limit outside 1..100 is ignored (100 is used), as upstream; anything that is
    not an integer, a blank `?limit=` included, is a 400 (upstream: a 500)."""
    if raw is None:
        return DEFAULT_LIMIT
    if isinstance(raw, bool):
        raise errors.BadRequest(errors.INVALID_LIMIT)
    text = str(raw).strip()
    if not _INTEGER.match(text):
        raise errors.BadRequest(errors.INVALID_LIMIT)
    limit = int(text[:12])  # longer numbers are out of range anyway
    return limit if 1 <= limit <= MAX_LIMIT else DEFAULT_LIMIT


def paginate_by_id_desc(queryset: QuerySet, params: dict) -> Page:
    """Newest first (id descending). `after` moves towards older rows, `before`
    towards newer ones."""
    limit = parse_limit(params.get("limit"))
    after, before = params.get("after"), params.get("before")
    if present(after):
        cursor = decode_cursor(after, "after")
        rows = list(queryset.filter(pk__lt=cursor).order_by("-pk")[: limit + 1])
        items, more = rows[:limit], len(rows) > limit
        meta_before = encode_cursor(items[0].pk) if items else None
        meta_after = encode_cursor(items[-1].pk) if more else None
    elif present(before):
        cursor = decode_cursor(before, "before")
        rows = list(queryset.filter(pk__gt=cursor).order_by("pk")[: limit + 1])
        more = len(rows) > limit
        items = list(reversed(rows[:limit]))
        meta_before = encode_cursor(items[0].pk) if items and more else None
        meta_after = encode_cursor(items[-1].pk) if items else None
    else:
        rows = list(queryset.order_by("-pk")[: limit + 1])
        items, more = rows[:limit], len(rows) > limit
        meta_before = None
        meta_after = encode_cursor(items[-1].pk) if more else None
    return Page(items=items, meta={"after": meta_after, "before": meta_before, "limit": limit})


class NewestFirstPagination(BasePagination):
    """`paginate_by_id_desc` as a DRF paginator, for ListModelMixin: the page
    under the viewset's `list_key`, beside Plausible's `meta`. Reads the
    viewset's merged parameters (`view.params`): a cursor may come in the body."""

    def paginate_queryset(self, queryset, request, view=None):
        self.list_key = view.list_key
        self.page = paginate_by_id_desc(queryset, self.page_params(view.params))
        return self.page.items

    def page_params(self, params: dict) -> dict:
        return params

    def get_paginated_response(self, data):
        return Response({self.list_key: data, "meta": self.page.meta})


class NextCursorPagination(NewestFirstPagination):
    """The resource dialect's pages: `limit` and `cursor` in, `{"data": [...]}` out,
    with `meta.next_cursor` only when there is a next page."""

    def page_params(self, params: dict) -> dict:
        return {"limit": params.get("limit"), "after": params.get("cursor")}

    def get_paginated_response(self, data):
        body = {"data": data}
        if self.page.meta["after"] is not None:
            body["meta"] = {"next_cursor": self.page.meta["after"]}
        return Response(body)
