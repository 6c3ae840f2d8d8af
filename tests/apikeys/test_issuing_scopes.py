"""Every interface that issues keys refuses an unknown scope, with the message
naming the valid ones: the service, the admin form, `manage.py create_api_key`
and the staff HTTP endpoint all go through `apikeys.scopes.validate_scopes`."""

import base64
import html
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.services import create_user
from apikeys.models import ApiKey
from apikeys.scopes import UNKNOWN_SCOPE
from apikeys.services import create_api_key

pytestmark = pytest.mark.django_db

TYPO = "sites:provison"
REFUSAL = UNKNOWN_SCOPE.format(scope=TYPO)


def test_the_service_refuses_a_misspelt_scope(alice):
    with pytest.raises(ValidationError) as refused:
        create_api_key(user=alice, name="typo", scopes=["stats:read:*", TYPO])
    assert refused.value.messages == [REFUSAL]
    assert not ApiKey.objects.exists()


def test_the_admin_form_refuses_a_misspelt_scope(client, alice):
    staff = create_user(email="ops@example.com", password="ops-password-1", is_superuser=True)
    client.force_login(staff)
    form = {"user": alice.pk, "name": "panel", "scopes_text": TYPO, "networks_text": ""}
    response = client.post("/admin/apikeys/apikey/add/", form)
    assert response.status_code == 200  # the form again, with the error
    assert html.escape(REFUSAL) in response.content.decode()
    assert not ApiKey.objects.exists()


def test_editing_a_key_in_the_admin_refuses_a_misspelt_scope(client, alice, issue_key):
    staff = create_user(email="ops@example.com", password="ops-password-1", is_superuser=True)
    client.force_login(staff)
    issue_key(alice, scopes=["sites:provision:*"])
    key = ApiKey.objects.get()
    form = {"name": key.name, "scopes_text": TYPO, "networks_text": ""}
    response = client.post(f"/admin/apikeys/apikey/{key.pk}/change/", form)
    assert html.escape(REFUSAL) in response.content.decode()
    key.refresh_from_db()
    assert key.scopes == ["sites:provision:*"]


def test_the_command_refuses_a_misspelt_scope(alice):
    with pytest.raises(CommandError) as refused:
        call_command("create_api_key", "alice@example.com", "--scope", TYPO)
    assert str(refused.value) == REFUSAL
    assert not ApiKey.objects.exists()


def test_the_real_command_line_says_so_on_stderr_and_exits_non_zero():
    """Validated before any lookup, so it needs no user to say so."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "create_api_key", "nobody@example.com", "--scope", TYPO],
        cwd=root,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert REFUSAL in result.stderr


def test_the_staff_endpoint_refuses_a_misspelt_scope(api, alice):
    create_user(email="ops@example.com", password="ops-password-1", is_superuser=True)
    credentials = base64.b64encode(b"ops@example.com:ops-password-1").decode()
    response = api.post(
        "/api/v2/auth/keys",
        {"login": "alice@example.com", "scopes": [TYPO], "ip": "10.0.0.1"},
        format="json",
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert response.status_code == 400
    assert response.json() == {"error": REFUSAL}
    assert not ApiKey.objects.exists()
