"""One hostname, one domain: every spelling of a domain (A-label, upper case, a
trailing dot, full-width or otherwise compatible characters) is one canonical
domain, stored, compared, looked up and echoed as its U-label form
(sites/domains.py)."""

import importlib
import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedlinks.services import find_or_create_shared_link
from sites.domains import canonical_domain, lookup_domain
from sites.models import DomainClaim, Site
from sites.validation import (
    DOMAIN_TAKEN_MESSAGE,
    FORMAT_MESSAGE,
    INVALID_DOMAIN_NAME_MESSAGE,
    RESERVED_CHARACTERS_MESSAGE,
    domain_errors,
    new_site_errors,
)

SITES = "/api/v1/sites"
CANONICAL = "bücher.example"
# Each of these is `bücher.example`, so one site may hold only one of them.
SPELLINGS = [
    "bücher.example",
    "xn--bcher-kva.example",
    "XN--BCHER-KVA.EXAMPLE",
    "BÜCHER.example",
    "Bücher.Example",
    "bücher.example.",
    "ｂüｃｈｅｒ．ｅｘａｍｐｌｅ",  # full-width letters and full stop
    "bücher。example",  # ideographic full stop
    "bu\u0308cher.example",  # u + combining diaeresis (NFKC composes it)
    "bü\u00adcher.example",  # a soft hyphen, which UTS 46 ignores
    "https://www.XN--BCHER-KVA.example/",
]

pytestmark = pytest.mark.django_db


def errors_of(domain) -> list[str]:
    return [error.message for error in domain_errors(domain)[1]]


class TestCanonicalForm:
    @pytest.mark.parametrize("spelling", SPELLINGS)
    def test_every_spelling_is_the_u_label_form(self, spelling):
        assert domain_errors(spelling) == (CANONICAL, [])

    @pytest.mark.parametrize(
        ("given", "canonical"),
        [
            ("EXAMPLE.COM", "example.com"),
            ("example.com.", "example.com"),
            ("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),
            ("ＷＷＷ．example.com", "example.com"),
            ("ΑΣ.gr", "ασ.gr"),  # UTS 46 case folding, not str.lower's final sigma
            ("ας.gr", "ας.gr"),  # a different, valid domain
            ("faß.de", "faß.de"),  # non-transitional: ß stays ß
            ("Ⅻ.test", "xii.test"),
            ("example.com/blog", "example.com/blog"),
            ("xn--bcher-kva.example/Blog/", "bücher.example/blog"),
            ("example.com./blog", "example.com/blog"),
            ("a_b.test", "a_b.test"),
            ("müllers-café.test", "müllers-café.test"),
            ("音乐.cn", "音乐.cn"),
            ("до.101домен.рф/pages", "до.101домен.рф/pages"),
        ],
    )
    def test_it_is_canonicalised(self, given, canonical):
        assert domain_errors(given) == (canonical, [])

    @pytest.mark.parametrize(
        "domain",
        [
            "xn--zz.test",  # not valid punycode
            "xn--abc-.test",  # decodes to plain ASCII
            "xn--ls8h.test",  # decodes to an emoji, not valid IDNA 2008
            "-bücher.test",  # an internationalised label may not start with a hyphen
            "bü--cher.test",  # `--` in the third and fourth positions
            "a.test..",  # one trailing dot is dropped, not two
            "www./blog",  # no host before the path
        ],
    )
    def test_an_invalid_internationalised_name_is_invalid(self, domain):
        assert errors_of(domain) == [INVALID_DOMAIN_NAME_MESSAGE]

    @pytest.mark.parametrize("domain", ["a\\b.test", "example.com\\blog", "ｅｘａｍｐｌｅ＼.test"])
    def test_a_backslash_fails_the_format(self, domain):
        assert errors_of(domain) == [FORMAT_MESSAGE]

    @pytest.mark.parametrize("domain", ["emoji😀.test", "☃.test", "with space.test"])
    def test_emoji_and_symbols_fail_the_format_as_before(self, domain):
        assert errors_of(domain) == [FORMAT_MESSAGE]

    def test_a_full_width_reserved_character_is_a_reserved_character(self):
        assert errors_of("a：b.test") == [RESERVED_CHARACTERS_MESSAGE]

    def test_the_length_limit_applies_to_the_canonical_form(self):
        unicode_form = ".".join(["ü" * 30] * 8) + ".test"
        ace_form = ".".join(["xn--tda" + "a" * 29] * 8) + ".test"
        assert (len(unicode_form), len(ace_form)) == (252, 300)
        assert domain_errors(ace_form) == (unicode_form, [])
        assert errors_of("x" * 251 + ".com.") == []  # 256 given, 255 stored
        assert errors_of("x" * 252 + ".com") == ["should be at most 255 character(s)"]

    def test_an_invalid_name_ranks_before_the_timezone_like_the_format(self):
        assert new_site_errors(domain="xn--zz.test", timezone="d")[1][0].field == "domain"
        assert new_site_errors(domain=5, timezone="d")[1][0].field == "timezone"

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.sampled_from(
                [*"aZ-._/:ßẞΣςüÜ\u00ad\u3002\uff0e\uff41\u0308é音0", "xn--", "www.", "HTTP://"]
            ),
            max_size=10,
        ).map("".join)
        | st.text(max_size=12)
    )
    def test_the_canonical_form_is_its_own_canonical_form(self, domain):
        """What is stored and echoed must find the same site when sent back."""
        canonical, errors = domain_errors(domain)
        if not errors:
            assert domain_errors(canonical) == (canonical, [])
            assert lookup_domain(canonical) == canonical

    @pytest.mark.parametrize("spelling", [*SPELLINGS, "a.test..", "xn--zz.test", "a\\b.test"])
    def test_the_migration_copy_agrees_with_the_services(self, spelling):
        migration = importlib.import_module("sites.migrations.0004_normalise_domains")
        canonical, valid = canonical_domain(spelling)
        expected = canonical if valid else None
        assert migration.canonical_domain(spelling) == expected


class TestOneDomainThroughTheApi:
    @pytest.mark.parametrize("spelling", SPELLINGS[1:])
    def test_a_second_spelling_of_a_taken_domain_is_taken(self, alice_api, alpha, spelling):
        first = alice_api.post(SITES, {"domain": CANONICAL}, format="json")
        assert first.status_code == 200
        response = alice_api.post(SITES, {"domain": spelling}, format="json")
        assert response.status_code == 400
        assert response.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}
        assert Site.objects.count() == 1

    @pytest.mark.parametrize("spelling", SPELLINGS)
    def test_it_is_stored_and_echoed_as_the_u_label_form(self, alice_api, alpha, spelling):
        response = alice_api.post(SITES, {"domain": spelling}, format="json")
        assert response.json()["domain"] == CANONICAL
        assert Site.objects.get().domain == CANONICAL
        assert DomainClaim.objects.get().domain == CANONICAL

    def test_the_resource_dialect_stores_the_same_form(self, alice_api, alpha):
        response = alice_api.post(
            "/api/v1/analytics/sites",
            {"domain": "XN--BCHER-KVA.example.", "name": "Books"},
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["data"]["domain"] == CANONICAL

    @pytest.mark.parametrize("spelling", SPELLINGS)
    def test_every_spelling_finds_the_site_by_site_id(self, alice_api, alpha, make_site, spelling):
        make_site(alpha, CANONICAL)
        response = alice_api.get(f"{SITES}/{quote(spelling, safe='')}")
        assert response.status_code == 200
        assert response.json()["domain"] == CANONICAL

    def test_a_site_id_in_the_query_is_canonicalised_too(self, alice_api, alpha, make_site):
        make_site(alpha, CANONICAL)
        response = alice_api.get(f"{SITES}/goals", {"site_id": "XN--BCHER-KVA.EXAMPLE."})
        assert response.status_code == 200

    @pytest.mark.parametrize("spelling", SPELLINGS)
    def test_the_previous_domain_resolves_and_is_held_in_every_spelling(
        self, alice_api, api, charlie, issue_key, alpha, make_site, spelling
    ):
        make_site(alpha, CANONICAL)
        renamed = alice_api.put(
            f"{SITES}/{quote(CANONICAL)}", {"domain": "renamed.test"}, format="json"
        )
        assert renamed.status_code == 200
        assert Site.objects.get().domain_changed_from == CANONICAL

        found = alice_api.get(f"{SITES}/{quote(spelling, safe='')}")
        assert found.json()["domain"] == "renamed.test"
        charlies = api.with_key(issue_key(charlie, scopes=["sites:provision:*"]))
        taken = charlies.post(SITES, {"domain": spelling}, format="json")
        assert taken.json() == {"error": f"domain: {DOMAIN_TAKEN_MESSAGE}"}

    def test_a_previous_domain_stops_resolving_in_every_spelling_after_72_hours(
        self, alice_api, alpha, make_site
    ):
        make_site(alpha, "xn--bcher-kva.example")
        alice_api.put(f"{SITES}/{quote(CANONICAL)}", {"domain": "renamed.test"}, format="json")
        Site.objects.update(domain_changed_at=timezone.now() - timedelta(hours=72, minutes=1))
        assert alice_api.get(f"{SITES}/BÜCHER.example.").status_code == 404

    def test_renaming_to_another_spelling_of_the_same_domain_is_no_change(
        self, alice_api, alpha, make_site
    ):
        make_site(alpha, CANONICAL)
        response = alice_api.put(
            f"{SITES}/{quote(CANONICAL)}", {"domain": "XN--BCHER-KVA.example."}, format="json"
        )
        assert response.status_code == 400
        assert "New domain must be different" in response.json()["error"]

    def test_a_site_id_with_no_canonical_form_is_looked_up_as_given(self, alice_api, alpha):
        # A legacy row no service would write today, found by its exact name only.
        Site.objects.create(team=alpha, domain="xn--zz.test")
        assert lookup_domain("xn--zz.test") == "xn--zz.test"
        assert alice_api.get(f"{SITES}/xn--zz.test").status_code == 200
        assert alice_api.get(f"{SITES}/XN--ZZ.test").status_code == 404


class TestOtherWaysOfNamingASite:
    def test_the_share_page_takes_any_spelling(self, api, site, alpha, make_site):
        books = make_site(alpha, CANONICAL)
        link = find_or_create_shared_link(site=books, name="Public")
        page = api.get(f"/share/{quote('XN--BCHER-KVA.example.')}?auth={link.slug}")
        assert page.status_code == 200
        Site.objects.filter(pk=books.pk).update(public_stats=True)
        assert api.get(f"/share/{quote('ｂüｃｈｅｒ．ｅｘａｍｐｌｅ')}").status_code == 200

    def test_add_guest_takes_any_spelling_and_names_the_canonical_one(self, alpha, make_site):
        make_site(alpha, CANONICAL)
        out = io.StringIO()
        call_command(
            "add_guest", "XN--BCHER-KVA.example", "new@example.com", "--role", "viewer", stdout=out
        )
        assert out.getvalue().strip() == f"new@example.com is a guest viewer of {CANONICAL}"


def test_lookups_are_cached_only_at_a_domains_length():
    """Callers choose what they send: a long value is looked up as any other,
    but not kept, so the cache cannot be filled with megabytes."""
    from sites.domains import _CACHED_LOOKUP_LENGTH, _lookup_domain

    _lookup_domain.cache_clear()
    assert lookup_domain("HTTPS://WWW.Cached.Example/") == "cached.example"
    assert lookup_domain("HTTPS://WWW.Cached.Example/") == "cached.example"
    assert (_lookup_domain.cache_info().hits, _lookup_domain.cache_info().currsize) == (1, 1)
    long_value = "www." + "a" * _CACHED_LOOKUP_LENGTH + ".Example"
    assert lookup_domain(long_value) == lookup_domain(long_value) == long_value[4:].lower()
    assert _lookup_domain.cache_info().currsize == 1
