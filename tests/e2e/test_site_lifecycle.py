"""One site's whole life over real HTTP, against gunicorn with production settings:
create, configure goals, properties, a shared link and a guest (who accepts the
emailed invitation), rename, address by the old name, delete, then 404 everywhere."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.servers import gunicorn_server

pytestmark = pytest.mark.e2e


class Http:
    def __init__(self, base: str, key: str | None = None):
        self.base = base
        self.key = key
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310
        request.add_header("Content-Type", "application/json")
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def page(self, url: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data)  # noqa: S310
        if form is not None:
            request.add_header("Referer", url)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@pytest.fixture
def server(tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    with gunicorn_server(tmp_path, workers=2, env=env) as running:
        running.mail_dir = mail_dir
        yield running


def test_a_site_from_creation_to_deletion(server):
    server.manage("create_user", "owner@example.com", "--password", "owner-passphrase-1")
    team = server.manage("create_team", "Agency", "--owner", "owner@example.com")
    key = server.manage(
        "create_api_key", "owner@example.com", "--team", team, "--scope", "sites:provision:*"
    )
    api = Http(server.url, key)

    status, site = api.call(
        "POST",
        "/api/v1/sites",
        {
            "domain": "https://www.Life.test/",
            "timezone": "Europe/Tallinn",
            "tracker_script_configuration": {"installation_type": "manual", "outbound_links": True},
        },
    )
    assert status == 200, site
    assert site["domain"] == "life.test"

    status, goal = api.call(
        "PUT",
        "/api/v1/sites/goals",
        {"site_id": "life.test", "goal_type": "event", "event_name": "Signup"},
    )
    assert status == 200 and goal["domain"] == "life.test"
    assert (
        api.call(
            "PUT",
            "/api/v1/sites/goals",
            {"site_id": "life.test", "goal_type": "event", "event_name": "Signup"},
        )[1]["id"]
        == goal["id"]
    )
    status, goals = api.call("GET", "/api/v1/sites/goals?site_id=life.test")
    assert {g["event_name"] for g in goals["goals"]} == {"Signup", "Outbound Link: Click"}

    assert api.call(
        "PUT", "/api/v1/sites/custom-props", {"site_id": "life.test", "property": "plan"}
    ) == (200, {"created": True})
    status, link = api.call(
        "PUT", "/api/v1/sites/shared-links", {"site_id": "life.test", "name": "Client"}
    )
    assert status == 200 and link["url"].startswith(server.url + "/share/life.test?auth=")
    share_path = link["url"][len(server.url) :]
    assert Http(server.url).page(server.url + share_path)[0] == 200

    status, guest = api.call(
        "PUT",
        "/api/v1/sites/guests",
        {"site_id": "life.test", "email": "Client@Example.com", "role": "viewer"},
    )
    assert (status, guest) == (
        200,
        {"email": "client@example.com", "role": "viewer", "status": "invited"},
    )
    [message] = list(server.mail_dir.iterdir())
    invitation = re.search(r"http://\S+/invitations/\S+/", message.read_text()).group(0)
    browser = Http(server.url)
    status, form = browser.page(invitation)
    assert status == 200 and "life.test" in form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    status, done = browser.page(
        invitation,
        {
            "csrfmiddlewaretoken": token,
            "password1": "client-passphrase-9",
            "password2": "client-passphrase-9",
        },
    )
    assert status == 200 and "Invitation accepted" in done
    status, guests = api.call("GET", "/api/v1/sites/guests?site_id=life.test")
    assert guests["guests"] == [
        {"email": "client@example.com", "role": "viewer", "status": "accepted"}
    ]

    status, renamed = api.call("PUT", "/api/v1/sites/life.test", {"domain": "afterlife.test"})
    assert status == 200 and renamed["domain"] == "afterlife.test"
    assert renamed["custom_properties"] == ["plan"]
    status, by_old_name = api.call("GET", "/api/v1/sites/life.test")
    assert status == 200 and by_old_name["domain"] == "afterlife.test"
    assert (
        api.call(
            "PUT",
            "/api/v1/sites/goals",
            {"site_id": "life.test", "goal_type": "page", "page_path": "/pricing"},
        )[1]["domain"]
        == "afterlife.test"
    )
    assert Http(server.url).page(server.url + share_path)[0] == 200

    assert api.call("DELETE", "/api/v1/sites/life.test") == (200, {"deleted": True})
    for method, path, body in [
        ("GET", "/api/v1/sites/afterlife.test", None),
        ("GET", "/api/v1/sites/life.test", None),
        ("GET", "/api/v1/sites/goals?site_id=afterlife.test", None),
        ("GET", "/api/v1/sites/custom-props?site_id=afterlife.test", None),
        ("GET", "/api/v1/sites/guests?site_id=afterlife.test", None),
        ("PUT", "/api/v1/sites/shared-links", {"site_id": "afterlife.test", "name": "Client"}),
        ("DELETE", "/api/v1/sites/afterlife.test", None),
    ]:
        assert api.call(method, path, body) == (404, {"error": "Site could not be found"}), path
    assert Http(server.url).page(server.url + share_path)[0] == 404
    assert api.call("GET", "/api/v1/sites")[1]["sites"] == []
    status, again = api.call("POST", "/api/v1/sites", {"domain": "life.test"})
    assert status == 200, again


def test_overlong_urls_and_headers_meet_the_documented_refusals(server):
    """The description promises gunicorn's size limits on every operation."""
    url = server.url + "/api/v1/sites"
    for path, headers, expected in [
        ("?after=" + "a" * 3900, {}, 401),
        ("?after=" + "a" * 4100, {}, 414),
        ("", {"X-Padding": "a" * 8000}, 401),
        ("", {"X-Padding": "a" * 8200}, 431),
        ("", {f"X-Padding-{n}": "a" for n in range(101)}, 431),
    ]:
        request = urllib.request.Request(url + path, headers=headers)  # noqa: S310
        try:
            urllib.request.urlopen(request, timeout=30)  # noqa: S310
        except urllib.error.HTTPError as error:
            assert error.code == expected, (len(path), len(headers))
        else:
            raise AssertionError(f"{len(path)}-byte query answered 2xx")
