"""Behind the shipped gunicorn.conf.py, with production settings and plain HTTP
refused: a forwarded header from a peer outside TRUSTED_PROXIES changes nothing
(neither gunicorn nor Django believes it), one from a trusted proxy is believed,
and a raw key in a request path never reaches the server's logs."""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest

from api.middleware import HTTPS_REQUIRED
from apikeys import keys
from apikeys.redaction import REDACTED_MARKER
from tests.servers import gunicorn_server

pytestmark = pytest.mark.e2e

FORGED = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}


def get(server, path: str, headers: dict | None = None) -> tuple[int, object]:
    target = urlsplit(server.url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(body)
    except ValueError:
        return response.status, body


def wait_for_log(server, text: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while True:
        log = server.log()
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


def test_a_forged_forwarded_proto_over_plain_http_is_refused_like_any_plain_request(tmp_path):
    """The proxy header is configured but no proxy is trusted: gunicorn (whose own
    default trusts 127.0.0.1) must not turn the request into https, and Django must
    not believe SECURE_PROXY_SSL_HEADER from the peer. Either mistake lets it through."""
    env = {"ALLOW_PLAIN_HTTP": "false", "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    env["TRUSTED_PROXIES"] = ""
    with gunicorn_server(tmp_path, workers=1, env=env) as server:
        plain = get(server, "/api/v1/sites")
        assert plain == (403, {"error": HTTPS_REQUIRED})
        assert get(server, "/api/v1/sites", FORGED) == plain

        raw = keys.generate_raw_key()
        assert get(server, f"/api/v2/auth/keys/{raw}")[0] == 403
        marker = f"/api/v2/auth/keys/{raw[:6]}{REDACTED_MARKER}"
        log = wait_for_log(server, f'"GET {marker}')
    assert f'"GET {marker} HTTP/1.1" 403' in log  # the access log line
    assert f"Forbidden: {marker}" in log  # Django's own warning
    assert raw not in log


def test_a_trusted_proxy_is_believed(tmp_path):
    env = {
        "ALLOW_PLAIN_HTTP": "false",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "TRUSTED_PROXIES": "127.0.0.1",
    }
    with gunicorn_server(tmp_path, workers=1, env=env) as server:
        assert get(server, "/api/v1/sites")[0] == 403
        status, body = get(server, "/api/v1/sites", {"X-Forwarded-Proto": "https"})
    assert status == 401  # past the HTTPS rule, at the missing key
    assert "Missing API key" in body["error"]
