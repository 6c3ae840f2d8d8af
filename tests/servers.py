"""Start the real production stack (gunicorn + whitenoise, DEBUG off) for end-to-end
tests, on a free port, with its own database and static directory, and stop it."""

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    env: dict
    log_path: Path
    process: subprocess.Popen | None = None

    def log(self) -> str:
        """Everything gunicorn and the app wrote so far (access log included)."""
        return self.log_path.read_text(errors="replace")

    def manage(self, *args: str) -> str:
        """Run a manage.py command against the server's database; return stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed: {result.stderr}")
        return result.stdout.strip()


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        # Any answer will do; a redirect to https (plain HTTP refused) is not followed.
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=2)
        try:
            connection.request("GET", "/admin/login/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer on {url} within {timeout}s")


@contextlib.contextmanager
def gunicorn_server(
    workdir: Path,
    workers: int = 2,
    env: dict | None = None,
    collect_static: bool = True,
    gunicorn_args: Sequence[str] = (),
) -> Iterator[RunningServer]:
    """`gunicorn_args` are extra command-line flags (e.g. `--graceful-timeout`).
    The server is stopped on the way out unless the test has stopped it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server_env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOW_PLAIN_HTTP": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BASE_URL": url,
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "PYTHONPATH": str(PROJECT_ROOT),
        **(env or {}),
    }
    server = RunningServer(url=url, env=server_env, log_path=workdir / "gunicorn.log")
    server.manage("migrate", "--noinput", "-v0")
    if collect_static:
        server.manage("collectstatic", "--noinput", "-v0")
    log = open(server.log_path, "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            # The shipped configuration (forwarded headers, log redaction, and the
            # access log on stdout); the flags after it override its bind and workers.
            "--config",
            str(PROJECT_ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *gunicorn_args,
        ],
        cwd=PROJECT_ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        server.process = process
        _wait_until_up(url, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
