"""Routes in Plausible's router order.

Plausible's router matches method and path together: `GET /sites/teams` is the
teams list, but `DELETE /sites/teams` is the site whose domain is "teams". A
literal route here answers only the methods its viewset maps (and OPTIONS) and
hands every other request to the catch-all view, with the rest of the path as
its keyword argument (docs/plausible-compat.md#endpoints)."""

import re

from django.urls import URLPattern, URLResolver, path, re_path
from django.urls.resolvers import RegexPattern, RoutePattern
from django.views.decorators.csrf import csrf_exempt


def viewset_route(viewset, actions: dict[str, str], **initkwargs):
    """`viewset.as_view(actions)`, remembering which methods the route maps
    (DRF adds HEAD to the dict it is given, on the first request)."""
    view = viewset.as_view(dict(actions), **initkwargs)
    view.mapped_methods = frozenset(method.upper() for method in actions)
    return view


def literal_before_catch_all(literal_view, *, catch_all_view, kwarg: str, after: str):
    """`literal_view` (a `viewset_route`) for its own methods; any other method
    goes to `catch_all_view`, with `kwarg` set to the path after `after`."""
    methods = literal_view.mapped_methods

    @csrf_exempt
    def view(request, *args, **kwargs):
        if request.method in methods or request.method == "OPTIONS":
            return literal_view(request, *args, **kwargs)
        value = request.path_info.split(after, 1)[-1].strip("/")
        return catch_all_view(request, **{kwarg: value})

    # Schema generators (drf-spectacular) read these, as on DRF's own views.
    for attribute in ("cls", "initkwargs", "actions", "mapped_methods"):
        setattr(view, attribute, getattr(literal_view, attribute))
    return view


def mounted(prefix: str, patterns: list) -> list:
    """`patterns` (which may `include()` more) mounted at `prefix`, as one flat
    list: what `path(prefix, include(patterns))` resolves, in the same order, but
    in one step. Django builds a ResolverMatch per level of nesting and tries the
    patterns of each; for an API request that was most of the cost of finding its
    view (issue 14's profile)."""
    flat = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if not isinstance(pattern.pattern, RoutePattern) or pattern.namespace:
                raise ValueError(f"mount only plain path() includes, not {pattern!r}")
            flat.extend(mounted(prefix + pattern.pattern._route, pattern.url_patterns))
        else:
            flat.append(_prefixed(prefix, pattern))
    return flat


def _prefixed(prefix: str, pattern: URLPattern) -> URLPattern:
    route = pattern.pattern
    if isinstance(route, RoutePattern):
        return path(prefix + route._route, pattern.callback, pattern.default_args, pattern.name)
    if isinstance(route, RegexPattern):
        regex = "^" + re.escape(prefix) + route._regex.removeprefix("^")
        return re_path(regex, pattern.callback, pattern.default_args, pattern.name)
    raise ValueError(f"cannot mount {pattern!r}")
