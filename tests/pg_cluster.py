"""A PostgreSQL cluster of the test's own (initdb + pg_ctl on a free port), which
the test may stop, start and restart under a running server, for fault tests.

Trust authentication, listening on 127.0.0.1 only, fsync off (a fast shutdown
still writes every committed transaction out; only an OS crash could lose one).
PostgreSQL refuses to run as root, so under root the binaries run as the
`postgres` OS user, in a directory of its own: pytest's tmp_path sits under a
root-only directory that user cannot enter."""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ratelimit_fixtures import free_port, missing_dependency

DATABASE_NAME = "siteprov"
OS_USER_UNDER_ROOT = "postgres"


def postgres_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl (pg_config's, else the newest
    Debian-style /usr/lib/postgresql/<version>/bin), or None."""
    candidates = []
    if shutil.which("pg_config"):
        result = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(
        (Path(v) for v in versions), key=lambda p: int(p.parent.name), reverse=True
    )
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).parent)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


class OwnPostgres:
    """A private cluster: `start()`, `stop()` (fast mode: sessions are cut, every
    committed transaction kept), `restart()`, `url`, `connect()`."""

    def __init__(self, tmp_path: Path):
        bindir = postgres_bindir()
        if bindir is None:
            missing_dependency("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bindir = bindir
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            self.base = Path(tempfile.mkdtemp(prefix="own-postgres-"))
            shutil.chown(self.base, user=OS_USER_UNDER_ROOT)
        else:
            self.base = tmp_path / "own-postgres"
            self.base.mkdir()
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"
        self.running = False
        try:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                      "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        except BaseException:
            self.cleanup()
            raise

    @property
    def url(self) -> str:
        return self.url_for(DATABASE_NAME)

    def url_for(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self.as_root:
            command = ["runuser", "-u", OS_USER_UNDER_ROOT, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/")
        if result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stdout}{result.stderr}\n{log}")

    def start(self) -> None:
        """Returns once the server accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.base} -c fsync=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
                  "-o", options, "start")  # fmt: skip
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")
            self.running = False

    def restart(self, down_for: float = 1.0) -> float:
        """Stop, stay down `down_for` seconds, start; returns time.monotonic() at
        the moment the server accepted connections again."""
        self.stop()
        time.sleep(down_for)
        self.start()
        return time.monotonic()

    def connect(self, database: str = DATABASE_NAME):
        import psycopg

        return psycopg.connect(self.url_for(database), autocommit=True, connect_timeout=5)

    def create_database(self, database: str = DATABASE_NAME) -> None:
        with self.connect("postgres") as connection:
            connection.execute(f'CREATE DATABASE "{database}"')

    def cleanup(self) -> None:
        try:
            self.stop()
        except RuntimeError:
            self.stop(mode="immediate")
        finally:
            if self.as_root:
                shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def running_postgres(tmp_path: Path) -> Iterator[OwnPostgres]:
    """A started cluster with an empty `siteprov` database; stopped (and its
    files removed) however the block ends."""
    cluster = OwnPostgres(tmp_path)
    try:
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture
def own_postgres(tmp_path):
    with running_postgres(tmp_path) as cluster:
        yield cluster
