"""The request pipeline is DRF's own: the authentication class stays silent
without a key scheme (authenticators stack), the principal is immutable, a
subclass's permission classes are honoured, and no viewset can serve an object
except through reach (its get_object/get_queryset are guarded)."""

import dataclasses

import pytest
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apikeys.authentication import ApiKeyAuthentication
from apikeys.exceptions import KEY_IN_URL, MISSING_API_KEY
from apikeys.principal import Principal
from apikeys.selectors import principal_for_raw_key
from sites.base_views import KeyAuthenticatedViewSet
from sites.views import SiteViewSet
from tests.site_fixtures import PROVISION

pytestmark = pytest.mark.django_db
factory = APIRequestFactory()


class TestTheAuthenticationClass:
    def test_without_a_key_scheme_it_stays_silent(self):
        request = Request(factory.get("/api/v1/sites", HTTP_AUTHORIZATION="Basic dXNlcjpwdw=="))
        assert ApiKeyAuthentication().authenticate(request) is None

    def test_a_key_in_the_url_is_refused_even_without_a_header(self):
        request = Request(factory.get("/api/v1/sites?api_key=secret"))
        with pytest.raises(AuthenticationFailed) as refusal:
            ApiKeyAuthentication().authenticate(request)
        assert str(refusal.value.detail) == KEY_IN_URL

    def test_it_returns_the_user_and_an_immutable_principal(self, alice, alpha, issue_key):
        raw_key = issue_key(alice, team=alpha, scopes=PROVISION)
        request = Request(factory.get("/api/v1/sites", HTTP_AUTHORIZATION=f"Bearer {raw_key}"))
        user, principal = ApiKeyAuthentication().authenticate(request)
        assert user == alice
        assert isinstance(principal, Principal)
        assert (principal.team, principal.role_in_team, principal.scopes) == (
            alpha,
            "owner",
            tuple(PROVISION),
        )
        with pytest.raises(dataclasses.FrozenInstanceError):
            principal.team = None

    def test_the_named_read_hook_runs_only_once_a_key_is_presented(self, alice, issue_key):
        calls = []
        authentication = ApiKeyAuthentication(read_with_key=lambda: calls.append(1))
        assert authentication.authenticate(Request(factory.get("/api/v1/sites"))) is None
        assert calls == []
        raw_key = issue_key(alice)
        authentication.authenticate(
            Request(factory.get("/api/v1/sites", HTTP_AUTHORIZATION=f"Bearer {raw_key}"))
        )
        assert calls == [1]


class TestTheMissingKey:
    def test_the_401_comes_from_the_permission_step(self, api):
        response = api.get("/api/v1/sites")
        assert response.status_code == 401
        assert response.json() == {"error": MISSING_API_KEY}
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


class DenyEveryone(BasePermission):
    def has_permission(self, request, view):
        raise PermissionDenied("denied by a subclass")


class TestSubclasses:
    def test_a_subclass_permission_class_is_honoured(self, alice, alpha, issue_key):
        """`initial` is DRF's: permission_classes on a subclass are not ignored."""

        class Guarded(SiteViewSet):
            permission_classes = [*SiteViewSet.permission_classes, DenyEveryone]

        raw_key = issue_key(alice, scopes=PROVISION)
        view = Guarded.as_view({"get": "list"})
        response = view(factory.get("/api/v1/sites", HTTP_AUTHORIZATION=f"Bearer {raw_key}"))
        assert response.status_code == 403
        assert response.data == {"error": "denied by a subclass"}

    @pytest.mark.parametrize("method", ["get_object", "get_queryset"])
    def test_overriding_a_door_past_reach_is_refused(self, method):
        with pytest.raises(TypeError, match=method):
            type("Unsafe", (KeyAuthenticatedViewSet,), {method: lambda self: None})

    def test_a_viewset_that_lists_nothing_says_so(self, alice, issue_key):
        class NoList(KeyAuthenticatedViewSet):
            def list(self, request):
                return self.get_queryset()

        raw_key = issue_key(alice, scopes=PROVISION)
        view = NoList.as_view({"get": "list"})
        response = view(factory.get("/api/v1/x", HTTP_AUTHORIZATION=f"Bearer {raw_key}"))
        assert response.status_code == 500


def test_the_principal_of_a_raw_key_carries_no_ad_hoc_attributes(alice, issue_key):
    principal = principal_for_raw_key(issue_key(alice))
    assert not hasattr(principal.api_key, "user_role_in_team")
    assert not hasattr(principal.api_key, "joined")


class TestGuardsAndCounting:
    def test_a_mixin_placed_before_the_base_is_guarded_too(self):
        class Mixin:
            def get_object(self):
                return None

        with pytest.raises(TypeError, match="Mixin"):
            type("Unsafe", (Mixin, KeyAuthenticatedViewSet), {})

    def test_a_request_is_counted_once_even_if_permissions_run_again(
        self, alice, alpha, make_site, issue_key
    ):
        """DRF may run the permission step more than once (OPTIONS metadata does);
        the throttles are not part of it."""

        class Twice(SiteViewSet):
            def check_permissions(self, request):
                super().check_permissions(request)
                super().check_permissions(request)

        make_site(alpha, "alpha.test")
        raw_key = issue_key(alice, team=alpha, scopes=PROVISION)
        view = Twice.as_view({"get": "retrieve"})
        request = factory.get("/api/v1/sites/alpha.test", HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        response = view(request, site_id="alpha.test")
        assert response.status_code == 200
        assert ";r=99;" in response["RateLimit"]
