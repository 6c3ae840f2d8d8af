"""The one canonical spelling of a domain. Every domain is stored, compared, looked
up and echoed in this form, so `xn--bcher-kva.example`, `BÜCHER.example`,
`bücher.example.` and a full-width `ｂüｃｈｅｒ．ｅｘａｍｐｌｅ` are one domain:
`bücher.example`. Nothing here touches the database.

The form is Plausible's normalisation (lowercase, trim, no scheme, no surrounding
slashes, no leading `www.`) applied after NFKC, with the host part (everything
before the first `/`; a path such as `example.com/blog` is kept, lowercased)
mapped by UTS 46, one trailing dot dropped, and each internationalised label in
its U-label form. The standard library's
`idna` codec implements IDNA 2003, not UTS 46 with IDNA 2008 validity, hence
the `idna` package.

The form is idempotent: canonicalising a canonical domain gives it back, which
is what lets a lookup canonicalise its value and compare it with stored ones.

A site whose domain changes keeps answering to its previous one for
`DOMAIN_CHANGE_GRACE`; `previous_domain_cutoff` is that rule for every lookup,
write and clean-up (docs/plausible-compat.md#previous-domains).
"""

import functools
import unicodedata
from datetime import datetime, timedelta

import idna
from django.utils import timezone

_SCHEMES = ("http://", "https://")
_ACE_PREFIX = "xn--"

# How long a previous domain keeps resolving after a domain change.
DOMAIN_CHANGE_GRACE = timedelta(hours=72)


def _plausible_normalisation(domain: str) -> str:
    """Plausible's steps in Plausible's order (trim, schemes, surrounding slashes,
    `www.`) but matching case-insensitively: the lowercasing is left to UTS 46 for
    the host, which folds case by its own table (`ΑΣ` is `ασ`, where `str.lower`
    gives `ας`, another valid domain)."""
    domain = domain.strip()
    for scheme in _SCHEMES:
        while domain[: len(scheme)].lower() == scheme:
            domain = domain[len(scheme) :]
    domain = domain.strip("/")
    return _without_www(domain)


def _without_www(domain: str) -> str:
    while domain[:4].lower() == "www.":
        domain = domain[4:]
    return domain


def _canonical_label(label: str) -> str | None:
    """A plain ASCII label stays as it is (Plausible's character rule judges it); an
    internationalised one, given as Unicode or as `xn--`, must be valid IDNA 2008
    and becomes its U-label. None when it is not valid."""
    if label.isascii() and not label.startswith(_ACE_PREFIX):
        return label
    try:
        if label.isascii():
            unicode_label = idna.ulabel(label)
            # ulabel insists on the canonical A-label; check it ourselves as well,
            # so a decoder that is lenient on some version cannot split a domain.
            if idna.alabel(unicode_label).decode("ascii") != label:
                return None
            return unicode_label
        return idna.ulabel(idna.alabel(label))
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


def canonical_domain(raw: str) -> tuple[str, bool]:
    """(the canonical form of `raw`, whether every internationalised label in it is
    valid). When a label is not valid the form is a best effort, never stored."""
    domain = _plausible_normalisation(unicodedata.normalize("NFKC", raw))
    host, slash, path = domain.partition("/")
    path = path.lower()
    valid = True
    try:
        host = idna.uts46_remap(host, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        host, valid = host.lower(), False
    if host.endswith("."):
        host = host[:-1]
        # A second trailing dot cannot be dropped too: `a.test..` would become
        # `a.test.`, which canonicalises again to `a.test`.
        valid = valid and not host.endswith(".")
    # UTS 46 ignores some characters (a soft hyphen), so `www.` may only show now.
    host = _without_www(host)
    # `www./blog` would leave `/blog`, which canonicalises again to `blog`.
    valid = valid and bool(host or not path)
    labels = []
    for label in host.split("."):
        canonical = _canonical_label(label) if valid else label
        valid = valid and canonical is not None
        labels.append(label if canonical is None else canonical)
    return ".".join(labels) + slash + path, valid


def normalize_domain(domain: str) -> str:
    """The canonical form of `domain` (best effort when it is not valid)."""
    return canonical_domain(domain)[0]


def lookup_domain(value: str) -> str:
    """The value to compare with stored domains when a request names a site by its
    domain (`site_id`, `/share/<domain>`, a command's DOMAIN). Plausible compares
    the raw value; we compare canonical forms, so every spelling of a domain finds
    its site. A value with no canonical form is compared as given (and so matches
    nothing that was stored through the services).

    Cached: a panel names the same sites again and again, and the canonical form
    is a pure function of the text (UTS 46 and IDNA tables), costlier than the
    cache. Only values of a domain's length are kept, so the cache stays small
    whatever callers send."""
    if not isinstance(value, str):
        return value
    if len(value) > _CACHED_LOOKUP_LENGTH:
        return _lookup_domain.__wrapped__(value)
    return _lookup_domain(value)


# A domain is at most 253 characters; room for a scheme, `www.` and slashes.
_CACHED_LOOKUP_LENGTH = 300


@functools.lru_cache(maxsize=4096)
def _lookup_domain(value: str) -> str:
    canonical, valid = canonical_domain(value)
    return canonical if valid and canonical else value


def previous_domain_cutoff(now: datetime | None = None) -> datetime:
    """A previous domain changed at or before this moment no longer resolves (and
    may be taken by another site); one changed after it still does."""
    return (now or timezone.now()) - DOMAIN_CHANGE_GRACE
