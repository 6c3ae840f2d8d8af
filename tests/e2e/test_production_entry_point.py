"""`scripts/serve` (what `make serve` runs) is the one production entry point: on a
fresh database it migrates, collects static files and starts gunicorn with the
shipped configuration on the port the environment names, and a SIGTERM stops it
cleanly."""

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.servers import PROJECT_ROOT, free_port

pytestmark = pytest.mark.e2e


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_scripts_serve_sets_up_and_serves_on_the_port_from_the_environment(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOW_PLAIN_HTTP": "true",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "REDIS_URL": "",
        "PORT": str(port),
        "BIND": "",
        "WEB_CONCURRENCY": "1",
    }
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        ["bash", str(PROJECT_ROOT / "scripts" / "serve")],
        cwd=tmp_path,  # the script finds the project itself
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while get_or_none(base + "/api/health/live") != 200:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "scripts/serve did not come up"
            time.sleep(0.3)
        assert get(base + "/api/health") == 200  # migrated: the database answers
        assert get(base + "/admin/login/") == 200
        assert get(base + "/api/docs/") == 200
        assert (tmp_path / "static" / "staticfiles.json").exists()  # collected
        assert get(base + "/api/v1/sites") == 401  # the API, not a 500
        unapplied = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--check"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
        )
        assert unapplied.returncode == 0, unapplied.stdout
        process.send_signal(signal.SIGTERM)  # the script exec'd gunicorn
        assert process.wait(timeout=40) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def get_or_none(url: str) -> int | None:
    try:
        return get(url)
    except OSError:
        return None
