"""A staff member signs in to the admin in a real (headless) Chromium, issues a key,
and the key works against the API served by the same live server."""

import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from tests.servers import gunicorn_server

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@pytest.fixture
def browser_page(tmp_path):
    executable = chromium_path()
    if executable is None:
        message = "Chromium is not installed (Debian package `chromium`); .ci/run installs it"
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS, headless=True
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            artifacts = Path(os.environ.get("TEST_ARTIFACTS", tmp_path))
            artifacts.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(artifacts / "admin-key-created.png"), full_page=True)
            browser.close()


@pytest.fixture
def production_server(tmp_path):
    """gunicorn with production settings: proves the admin and its static files
    work behind gunicorn alone."""
    with gunicorn_server(tmp_path) as server:
        yield server


def test_staff_issue_a_key_in_the_admin_and_use_it(production_server, browser_page):
    production_server.manage(
        "create_user", "ops@example.com", "--password", "ops-password-1", "--superuser"
    )
    production_server.manage("create_user", "alice@example.com")
    team_id = production_server.manage(
        "create_team", "Browser Team", "--owner", "alice@example.com"
    )
    page = browser_page

    page.goto(f"{production_server.url}/admin/login/")
    page.fill("#id_username", "ops@example.com")
    page.fill("#id_password", "ops-password-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    # whitenoise serves the admin's hashed static files with DEBUG off.
    stylesheet = page.evaluate("getComputedStyle(document.querySelector('#header')).display")
    assert stylesheet == "flex"

    page.goto(f"{production_server.url}/admin/apikeys/apikey/add/")
    # The user and team fields are select2 autocomplete widgets: search and pick.
    for field, search, label in (
        ("user", "alice", "alice@example.com"),
        ("team", "Browser", "Browser Team"),
    ):
        page.click(f"#id_{field} + .select2 .select2-selection")
        page.fill(".select2-container--open .select2-search__field", search)
        page.click(f".select2-results__option:has-text('{label}')")
    page.fill("#id_name", "Provisioning from the browser")
    page.fill("#id_scopes_text", "sites:provision:*")
    page.click("input[name=_save]")

    page.wait_for_selector("#raw-api-key")
    raw_key = page.input_value("#raw-api-key")
    assert len(raw_key) == 64

    request = urllib.request.Request(
        f"{production_server.url}/api/v1/sites/teams",
        headers={"Authorization": f"Bearer {raw_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local server)
        assert response.status == 200
        body = json.load(response)
    assert body["teams"] == [{"id": team_id, "name": "Browser Team", "api_available": True}]

    # Only the prefix is visible from now on.
    page.goto(f"{production_server.url}/admin/apikeys/apikey/")
    listing = page.content()
    assert raw_key[:6] in listing
    assert raw_key not in listing
