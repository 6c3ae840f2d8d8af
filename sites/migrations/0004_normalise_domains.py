"""Existing domains, previous domains and domain claims take their canonical form
(sites/domains.py): `xn--bcher-kva.example` and `BÜCHER.example` become
`bücher.example`. Names that would end up equal for two different rows are left
as they are and reported, one line per collision, for an operator to resolve;
so are names with no valid canonical form. Nothing is undone on the way back."""

import sys
import unicodedata
from collections import defaultdict

import idna
from django.db import migrations

# A copy of sites.domains.canonical_domain as of this migration: a migration must
# give the same result whatever the application code becomes later.
_SCHEMES = ("http://", "https://")


def _without_www(domain):
    while domain[:4].lower() == "www.":
        domain = domain[4:]
    return domain


def _canonical_label(label):
    if label.isascii() and not label.startswith("xn--"):
        return label
    try:
        if label.isascii():
            unicode_label = idna.ulabel(label)
            if idna.alabel(unicode_label).decode("ascii") != label:
                return None
            return unicode_label
        return idna.ulabel(idna.alabel(label))
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


def canonical_domain(raw):
    """The canonical form of `raw`, or None when it has none."""
    domain = unicodedata.normalize("NFKC", raw).strip()
    for scheme in _SCHEMES:
        while domain[: len(scheme)].lower() == scheme:
            domain = domain[len(scheme) :]
    domain = _without_www(domain.strip("/"))
    host, slash, path = domain.partition("/")
    try:
        host = idna.uts46_remap(host, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    if host.endswith("."):
        host = host[:-1]
        if host.endswith("."):
            return None
    host = _without_www(host)
    if not host:
        return None
    labels = [_canonical_label(label) for label in host.split(".")]
    if None in labels:
        return None
    return ".".join(labels) + slash + path.lower()


def report(line):
    sys.stdout.write(f"  analytics_sites.0004_normalise_domains: {line}\n")


def normalise_domains(apps, schema_editor):
    Site = apps.get_model("analytics_sites", "Site")
    DomainClaim = apps.get_model("analytics_sites", "DomainClaim")
    # canonical form -> every (model, row id, field, site id, current value) of it.
    names = defaultdict(list)

    def collect(model, pk, field, site_id, value):
        if not value:
            return
        canonical = canonical_domain(value)
        if canonical is None:
            if model is Site:  # its claim has the same value: one line is enough
                report(f"site {site_id} {field} {value!r} has no canonical form, left as it is")
            return
        names[canonical].append((model, pk, field, site_id, value))

    sites = Site.objects.values_list("pk", "domain", "domain_changed_from").order_by("pk")
    for pk, domain, previous in sites.iterator():
        collect(Site, pk, "domain", pk, domain)
        collect(Site, pk, "domain_changed_from", pk, previous)
    claims = DomainClaim.objects.values_list("pk", "site_id", "domain").order_by("pk")
    for pk, site_id, domain in claims.iterator():
        collect(DomainClaim, pk, "domain", site_id, domain)

    for canonical, rows in names.items():
        if all(value == canonical for *_, value in rows):
            continue
        site_rows = [row for row in rows if row[0] is Site]
        # One site's domain (or previous domain) and its claim is the normal case;
        # anything more would break a unique index.
        if len({row[3] for row in rows}) > 1 or len(site_rows) > 1 or len(rows) > 2:
            named = ", ".join(
                f"site {site_id} {field if model is Site else 'claim'} {value!r}"
                for model, _, field, site_id, value in rows
            )
            report(f"collision on {canonical!r}, left as they are: {named}")
            continue
        for model, pk, field, _, value in rows:
            if value != canonical:
                model.objects.filter(pk=pk).update(**{field: canonical})


class Migration(migrations.Migration):
    dependencies = [
        ("analytics_sites", "0003_site_keys_names"),
    ]

    operations = [
        migrations.RunPython(normalise_domains, migrations.RunPython.noop),
    ]
