"""Only a SHA-256 hash and a 6-character prefix of a key are kept: the raw key must
appear in no table and no log line."""

import base64
import hashlib
import logging

import pytest
from django.db import connection

from accounts.services import create_user
from apikeys.models import ApiKey
from tests.apikeys.staff import grant

pytestmark = pytest.mark.django_db(transaction=True)


def every_stored_value() -> str:
    """Every cell of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_a_key_issued_by_the_service_is_stored_as_hash_and_prefix_only(alice, issue_key):
    raw = issue_key(alice, scopes=["sites:provision:*"])
    stored = ApiKey.objects.get()
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.key_prefix == raw[:6]
    dump = every_stored_value()
    assert raw not in dump
    assert raw[6:] not in dump  # nor any recognisable part beyond the prefix
    assert raw[:-6] not in dump


def test_keys_issued_over_http_and_in_the_admin_are_not_stored(client, api, alice):
    staff = create_user(email="ops@example.com", password="ops-password-1", is_staff=True)
    grant(staff, "add_apikey")
    auth = "Basic " + base64.b64encode(b"ops@example.com:ops-password-1").decode()
    over_http = api.post("/api/v2/auth/keys", {}, format="json", HTTP_AUTHORIZATION=auth)
    raw_http = over_http.json()["key"]

    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    page = client.post(
        "/admin/apikeys/apikey/add/",
        {"user": alice.pk, "name": "admin key", "scopes_text": "stats:read:*", "networks_text": ""},
    )
    raw_admin = page.context["raw_key"]

    dump = every_stored_value()
    assert raw_http not in dump
    assert raw_admin not in dump


def test_no_log_line_carries_the_raw_key(api, alice, issue_key, caplog):
    raw = issue_key(alice)
    revoked = issue_key(alice)
    ApiKey.objects.filter(key_prefix=revoked[:6]).update(revoked_at="2020-01-01T00:00:00Z")
    with caplog.at_level(logging.DEBUG):
        api.with_key(raw).get("/api/v1/sites/teams")
        api.with_key(revoked).get("/api/v1/sites/teams")
        api.with_key(raw[:-1] + "x").get("/api/v1/sites/teams")
    assert caplog.records  # the requests were logged at all
    assert raw not in caplog.text
    assert revoked not in caplog.text
