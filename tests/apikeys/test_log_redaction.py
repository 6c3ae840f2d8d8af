"""No raw key reaches a log line, even one we did not write: the console
handler's filter (apikeys.redaction) redacts anything shaped like one of our keys
from every record, Django's "Not Found: <path>" warnings included."""

import hashlib
import io
import logging

import pytest

from apikeys import keys
from apikeys.redaction import REDACTED_MARKER, RedactApiKeys, redact_api_keys

pytestmark = pytest.mark.django_db


def record(msg, *args) -> logging.LogRecord:
    return logging.LogRecord("test", logging.WARNING, __file__, 1, msg, args or None, None)


class TestTheFilter:
    def test_a_key_is_replaced_by_its_prefix(self):
        raw = keys.generate_raw_key()
        assert (
            redact_api_keys(f"GET /x/{raw} HTTP/1.1")
            == f"GET /x/{raw[:6]}{REDACTED_MARKER} HTTP/1.1"
        )

    def test_every_key_in_a_line_is_redacted(self):
        first, second = keys.generate_raw_key(), keys.generate_raw_key()
        text = redact_api_keys(f"{first},{second}?key={first}")
        assert first not in text and second not in text
        assert text.count(REDACTED_MARKER) == 3

    @pytest.mark.parametrize(
        "text",
        [
            hashlib.sha256(b"x").hexdigest(),  # 64 characters, no checksum
            "A" * 64,
            keys.generate_raw_key()[:-1] + "!",
            "x" + keys.generate_raw_key(),  # part of a longer token: not a key of ours
            "short line",
        ],
    )
    def test_what_is_not_a_key_is_left_alone(self, text):
        assert redact_api_keys(text) == text

    def test_the_message_is_formatted_with_its_arguments_then_redacted(self):
        raw = keys.generate_raw_key()
        entry = record("Not Found: %s (%d)", f"/api/v2/auth/keys/{raw}", 404)
        assert RedactApiKeys().filter(entry) is True
        assert (
            entry.getMessage() == f"Not Found: /api/v2/auth/keys/{raw[:6]}{REDACTED_MARKER} (404)"
        )
        assert entry.args == ()

    def test_mapping_arguments_as_gunicorn_logs_them(self):
        raw = keys.generate_raw_key()
        entry = record("%(h)s %(r)s", {"h": "127.0.0.1", "r": f"GET /k/{raw} HTTP/1.1"})
        RedactApiKeys().filter(entry)
        assert raw not in entry.getMessage() and "127.0.0.1 GET /k/" in entry.getMessage()

    def test_a_record_without_a_key_is_untouched(self):
        entry = record("%s answered %d", "x", 200)
        RedactApiKeys().filter(entry)
        assert (entry.msg, entry.args) == ("%s answered %d", ("x", 200))

    def test_a_malformed_record_is_passed_on_not_raised(self):
        entry = record("%s and %s", "only one")
        assert RedactApiKeys().filter(entry) is True


@pytest.fixture
def console():
    """What Django's configured console handler (settings.LOGGING) writes."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


class TestDjangosOwnLogLines:
    def test_a_key_in_a_path_is_not_in_djangos_not_found_warning(self, client, console):
        raw = keys.generate_raw_key()
        response = client.get(f"/api/v2/auth/keys/{raw}")
        assert response.status_code == 404
        written = console.getvalue()
        assert f"Not Found: /api/v2/auth/keys/{raw[:6]}{REDACTED_MARKER}" in written
        assert raw not in written

    def test_a_key_in_any_refused_request_path_is_redacted(self, client, console):
        raw = keys.generate_raw_key()
        response = client.delete(f"/api/v1/sites/{raw}", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 401
        assert f"{raw[:6]}{REDACTED_MARKER}" in console.getvalue()
        assert raw not in console.getvalue()

    def test_any_logger_propagating_to_the_root_is_redacted(self, console):
        raw = keys.generate_raw_key()
        logging.getLogger("somewhere.deep.inside").warning("pasted %s", raw)
        assert raw not in console.getvalue()
        assert f"pasted {raw[:6]}{REDACTED_MARKER}" in console.getvalue()
