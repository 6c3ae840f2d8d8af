"""The shipped gunicorn.conf.py, read the way gunicorn reads it. Its end-to-end
behaviour is in tests/e2e/test_forwarded_headers_behind_gunicorn.py."""

import runpy

import pytest
from gunicorn.config import Config

from tests.servers import PROJECT_ROOT

CONF = PROJECT_ROOT / "gunicorn.conf.py"


def load(monkeypatch, **env) -> Config:
    for name in (
        "TRUSTED_PROXIES",
        "BIND",
        "PORT",
        "WEB_CONCURRENCY",
        "GUNICORN_TIMEOUT",
        "GUNICORN_GRACEFUL_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(CONF))
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_no_peer_is_believed_by_default(monkeypatch):
    """gunicorn's own default believes forwarded headers from 127.0.0.1."""
    assert Config().forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert load(monkeypatch).forwarded_allow_ips == []


def test_trusted_proxies_are_the_ones_django_trusts(monkeypatch):
    config = load(monkeypatch, TRUSTED_PROXIES="10.0.0.1/8, 192.0.2.7,2001:db8::/32")
    assert config.forwarded_allow_ips == ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]


def test_bind_and_workers_come_from_the_environment(monkeypatch):
    default = load(monkeypatch)
    assert default.bind == ["0.0.0.0:8000"]
    assert 1 <= default.workers <= 8
    assert load(monkeypatch, PORT="9000").bind == ["0.0.0.0:9000"]
    custom = load(monkeypatch, BIND="unix:/run/app.sock", WEB_CONCURRENCY="3")
    assert (custom.bind, custom.workers) == (["unix:/run/app.sock"], 3)


@pytest.mark.parametrize("logger", ["gunicorn.error", "gunicorn.access"])
def test_gunicorns_error_and_access_handlers_carry_the_redaction_filter(monkeypatch, logger):
    config = load(monkeypatch)
    dict_config = config.logconfig_dict
    handlers = dict_config["loggers"][logger]["handlers"]
    assert handlers
    assert dict_config["loggers"][logger]["propagate"] is False
    for name in handlers:
        factories = {
            dict_config["filters"][filter_name]["()"]
            for filter_name in dict_config["handlers"][name]["filters"]
        }
        assert factories == {
            "apikeys.redaction.RedactApiKeys",
            "sites.log_filters.RedactInvitationLinks",
        }


def test_workers_have_bounded_request_and_shutdown_times(monkeypatch):
    default = load(monkeypatch)
    assert (default.timeout, default.graceful_timeout) == (30, 30)
    custom = load(monkeypatch, GUNICORN_TIMEOUT="45", GUNICORN_GRACEFUL_TIMEOUT="10")
    assert (custom.timeout, custom.graceful_timeout) == (45, 10)
