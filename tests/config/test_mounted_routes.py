"""The API's routes are mounted flat (api.routing.mounted): resolving a path must
give exactly what the nested include() it replaces gave."""

import pytest
from django.urls import Resolver404, include, path
from django.urls.resolvers import RegexPattern, URLResolver

from api.routing import mounted
from config import api_routes

PATHS = [
    "/api/v1/sites",
    "/api/v1/sites/",
    "/api/v1/sites/a.test",
    "/api/v1/sites//a.test//",
    "/api/v1/sites/a.test/blog",
    "/api/v1/sites/teams",
    "/api/v1/sites/+goals",
    "/api/v1/sites/goals/12",
    "/api/v1/sites/custom-props/some/prop",
    "/api/v1/sites/guests/a@b.test",
    "/api/v1/sites/shared-links",
    "/api/v1/analytics/sites",
    "/api/v1/analytics/sites/sk_1",
    "/api/v1/analytics/sites/sk_1/more",
    "/api/v2/auth/keys",
    "/api/v2/auth/keys/revoke",
    "/api/v2/swagger.yml",
    "/api/health",
    "/api/health/live/",
    "/api/schema/",
    "/api/docs/",
    "/api/nothing/here",
    "/api/",
]


def _resolver(patterns) -> URLResolver:
    return URLResolver(RegexPattern(r"^/"), patterns)


@pytest.mark.parametrize("url", PATHS)
def test_a_path_resolves_as_through_the_nested_includes(url):
    nested = _resolver([path("api/", include(api_routes.urlpatterns))]).resolve(url)
    flat = _resolver(mounted("api/", api_routes.urlpatterns)).resolve(url)
    assert (flat.func, flat.args, flat.kwargs, flat.url_name) == (
        nested.func,
        nested.args,
        nested.kwargs,
        nested.url_name,
    )


def test_a_path_outside_the_prefix_is_not_resolved():
    with pytest.raises(Resolver404):
        _resolver(mounted("api/", api_routes.urlpatterns)).resolve("/admin/")


def test_a_namespaced_include_is_refused():
    """A namespace would be lost in a flat list; refuse rather than drop it."""
    namespaced = [path("v9/", include((api_routes.staff_key_routes, "staff"), namespace="staff"))]
    with pytest.raises(ValueError, match="mount only"):
        mounted("api/", namespaced)
