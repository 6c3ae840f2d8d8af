"""The base viewset of every key-authenticated endpoint, whichever app it
belongs to: DRF's pipeline (api.viewsets) with the API key's authentication,
permission and throttle classes, and sites.reach as the only way to a site.

The checks run in Plausible's order (docs/plausible-compat.md#check-order):

1. key presented — `ApiKeyAuthentication` (refuses a key in the URL; without a
   key scheme it stays silent and `HasApiKey` answers the 401 in step 5);
2. `site_id` present — `site_named_in_url`, the hook the authenticator calls
   before it looks the key up;
3. key valid — `ApiKeyAuthentication`, in one statement with the site named in
   the URL; then the body is parsed and a `site_id` there checked (`check_params`);
4. rate limits — `ApiKeyRateThrottle`, from the budget `get_rate_limit_bucket`
   names (a legacy key's needs the named site first: `get_named_site`); the
   same step checks a principal remembered from an earlier request;
5. scope — `HasApiKey`, `HasScope` (`get_required_scope`);
6. site and team — `sites.reach.verify`, at the end of `initial`.

One difference from Plausible: nothing in the body is read before the key is
valid. A `site_id` in the body can only be judged after that, so a request with
a body and an invalid key is the 401 whatever the body holds (a bodyless request
still gets the 400 for a missing site_id first).

A viewset serves objects only through `get_object` (the named site, if the
caller's role is one of `action_roles[action]`) and `get_queryset` (its
`queryset_within(reach)`); overriding either is refused when the class is
defined, so no subclass can serve an object that reach did not hand it.
"""

from collections.abc import Callable

from rest_framework.exceptions import APIException

from api import errors
from api.params import has_body, present
from api.ratelimit import Bucket
from api.viewsets import ApiViewSet
from apikeys.authentication import ApiKeyAuthentication
from apikeys.permissions import HasApiKey, HasScope
from apikeys.principal import Principal
from apikeys.scopes import PROVISION_SCOPE, READ_SCOPE, feature_for_scope
from apikeys.throttling import ApiKeyRateThrottle
from sites.exceptions import MISSING_SITE_ID, SITE_ID_NOT_TEXT
from sites.models import Site
from sites.reach import Reach, named_site, rate_limit_bucket, verify
from sites.selectors import SiteLookup
from sites.site_id import site_id_in_url, url_mentions_site_id


def fetchable(lookup: SiteLookup | None) -> SiteLookup | None:
    """The lookup, unless no site can have that name (then there is nothing to
    fetch, and `named_site` finds none)."""
    return lookup if lookup is not None and lookup.possible else None


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a viewset may not override: the doors through which objects leave it.
GUARDED_METHODS = ("get_object", "get_queryset")


class KeyAuthenticatedViewSet(ApiViewSet):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiKey, HasScope]
    throttle_classes = [ApiKeyRateThrottle]
    read_scope = READ_SCOPE
    write_scope = PROVISION_SCOPE
    # Actions that act on the one site the request names (by `site_id`).
    site_actions: frozenset[str] = frozenset()
    # The effective site roles each action needs (teams.models: READ_ROLES, …).
    action_roles: dict[str, frozenset[str]] = {}
    # Set at the end of `initial`: what this request may touch.
    reach: Reach

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The class itself and anything placed before this base (a mixin).
        for klass in cls.__mro__[: cls.__mro__.index(KeyAuthenticatedViewSet)]:
            for name in GUARDED_METHODS:
                if name in vars(klass):
                    raise TypeError(
                        f"{cls.__name__} overrides {name}() (in {klass.__name__}), which "
                        "must go through sites.reach: set action_roles and implement "
                        "queryset_within(reach) instead."
                    )

    @property
    def names_a_site(self) -> bool:
        """Whether this route acts on one site (for every method it maps, OPTIONS too)."""
        return not self.site_actions.isdisjoint(self.action_map.values())

    # --- Steps 1–3: the key, and the site it is read with ---------------------

    def get_authenticators(self):
        return [
            authenticator(read_with_key=self.site_named_in_url, use_cache=self.checks_stamps)
            for authenticator in self.authentication_classes
        ]

    @property
    def checks_stamps(self) -> bool:
        """Whether a remembered principal will be checked before it is trusted:
        only the key throttle's counting script does that (apikeys.throttling)."""
        return any(issubclass(t, ApiKeyRateThrottle) for t in self.throttle_classes)

    def site_named_in_url(self) -> SiteLookup | None:
        """The site the URL names, read in the key's own statement. Called by the
        authenticator once a key is presented and before it is looked up: a route
        that needs a site and whose URL and body cannot name one is the 400 here."""
        if not self.names_a_site:
            return None
        if not url_mentions_site_id(self.request, self.kwargs) and not has_body(self.request):
            raise errors.BadRequest(MISSING_SITE_ID)
        return fetchable(self._lookup_for(site_id_in_url(self.request, self.kwargs)))

    def site_lookup(self) -> SiteLookup | None:
        """How the request names its site, once its parameters are read: by
        `site_id` (a hook: the resource dialect names it by key, in the path)."""
        return self._lookup_for(self.params.get("site_id"))

    def _lookup_for(self, site_id) -> SiteLookup | None:
        """One SiteLookup per `site_id`: the URL's, built before the body is read,
        is usually the merged parameters' too, and is not normalised twice."""
        built = getattr(self, "_lookup", None)
        if built is None or built[0] != site_id:
            self._lookup = built = (site_id, SiteLookup.for_request(site_id=site_id))
        return built[1]

    def check_params(self, params: dict) -> None:
        if not self.names_a_site:
            return
        site_id = params.get("site_id")
        if not present(site_id):
            raise errors.BadRequest(MISSING_SITE_ID)
        if not isinstance(site_id, str):
            raise errors.BadRequest(SITE_ID_NOT_TEXT)

    # --- Step 4: the budget ---------------------------------------------------

    def get_named_site(self) -> Site | None:
        """The site the request names (None if it names none, or none exists), as
        read for the request's principal (read again if the throttle replaced it)."""
        principal = self.request.auth
        read = getattr(self, "_named_site", None)
        if read is None or read[0] is not principal:
            lookup = self.site_lookup() if self.names_a_site else None
            read = self._named_site = (principal, named_site(principal, lookup))
        return read[1]

    def get_rate_limit_bucket(self, principal: Principal) -> Bucket:
        return rate_limit_bucket(principal, named_site=self.get_named_site)

    def read_while_counting(self) -> Callable[[], object] | None:
        """What the request will read anyway, to read while the throttle's script
        runs in Redis (api.ratelimit's `meanwhile`): the site a team key's read
        names, whose budget does not depend on it. Reads only; a write reads its
        site in its place, after the count."""
        principal = self.request.auth
        if self.names_a_site and principal.team is not None and self.request.method in SAFE_METHODS:
            return self.get_named_site
        return None

    # --- Step 5: the scope ----------------------------------------------------

    def get_required_scope(self) -> str:
        return self.read_scope if self.request.method in SAFE_METHODS else self.write_scope

    # --- Step 6: the site and the team ----------------------------------------

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.reach = verify(
            request.auth,
            site=self.get_named_site(),
            team_id=self.params.get("team_id"),
            feature=feature_for_scope(self.get_required_scope()),
            named_as=self.site_id_for_log(),
        )

    def site_id_for_log(self) -> str | None:
        """How the request named its site, as the reach log says it (a hook)."""
        return self.params.get("site_id") if self.names_a_site else None

    # --- What the actions may serve -------------------------------------------

    def get_object(self) -> Site:
        return self.reach.site_for_roles(self.action_roles[self.action])

    def get_queryset(self):
        return self.queryset_within(self.reach)

    def queryset_within(self, reach: Reach):
        """The rows a list action pages through, from what `reach` gives."""
        raise APIException("This endpoint lists nothing")
