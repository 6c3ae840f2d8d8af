"""Instructions per request, counted by valgrind (callgrind), for changes too
small to see in req/s on a shared machine.

`make bench` and `make bench-ab` time requests; on these machines the same
commit's timings move by a fifth between runs. An instruction count does not:
the same request on the same data costs the same instructions to within about
one per cent, so a trim of a few per cent shows. It measures only this process's
user-space work (not the kernel, PostgreSQL or Redis), which is what a change to
our Python changes.

It seeds a database of its own (1,000 sites), then for each read scenario runs
a child under callgrind twice, with 40 and then 240 requests after the same
warm-up, and prints the difference divided by 200: the instructions of one
steady-state request, WSGI handler to the last byte of the body, without start-up.
Needs valgrind (Debian package) and what `make bench` needs. About a minute per
scenario.

    .venv/bin/python -m benchmarks.instructions [--scenarios baseline,peer,ours_read] [--smoke]

`--smoke` (CI, so the tool cannot rot): ours_read only, 5 and 15 requests.
"""

import argparse
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.run import (
    PG,
    REDIS,
    ROOT,
    admin_sql,
    fail,
    forget_redis_keys,
    migrate,
    run_json,
)

READS = ("baseline", "peer", "ours_read", "ours_list_first")
WARM_UP, FEW, MANY = 100, 40, 240


def child(seed_path: str, scenario: str, requests: int, warm_up: int) -> None:
    """Runs under valgrind: warm up, then `requests` requests, in-process."""
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from benchmarks.scenarios import scenario_requests

    with open(seed_path) as seed_file:
        method, path, body, headers = scenario_requests(json.load(seed_file))[scenario]
    if method != "GET" or body is not None:
        fail(f"{scenario} is not a read")
    application = WSGIHandler()
    route, _, query = path.partition("?")

    def call() -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            **headers,
        }
        status = []
        b"".join(application(environ, lambda line, *_: status.append(line)))
        if not status[0].startswith("200"):
            fail(f"{scenario} answered {status[0]}")

    for _ in range(warm_up + requests):
        call()


def instructions(env: dict, seed_path: str, scenario: str, requests: int, warm_up: int) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        result = subprocess.run(  # noqa: S603
            [
                shutil.which("valgrind"),
                "--tool=callgrind",
                "--cache-sim=no",
                "--branch-sim=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-m",
                "benchmarks.instructions",
                "--child",
                seed_path,
                scenario,
                str(requests),
                str(warm_up),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not out.exists():
            fail(f"callgrind failed for {scenario}:\n{result.stderr[-2000:]}")
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    fail("callgrind wrote no totals")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=",".join(READS[:3]))
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--child", nargs=4, metavar=("SEED", "SCENARIO", "REQUESTS", "WARM_UP"))
    options = parser.parse_args()
    if options.child:
        seed_path, scenario, requests, warm_up = options.child
        child(seed_path, scenario, int(requests), int(warm_up))
        return 0
    scenarios = options.scenarios.split(",")
    few, many, warm_up = FEW, MANY, WARM_UP
    if options.smoke:
        scenarios, few, many, warm_up = ["ours_read"], 5, 15, 10
    if unknown := set(scenarios) - set(READS):
        fail(f"not read scenarios: {', '.join(sorted(unknown))} (choose from {', '.join(READS)})")
    if not shutil.which("valgrind"):
        fail("valgrind is not installed (apt-get install valgrind)")
    database = f"bench_instructions_{os.getpid()}"
    prefix = f"{database}-keys"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        # Same hashes, same dict layouts, same instructions from run to run.
        "PYTHONHASHSEED": "0",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOW_PLAIN_HTTP": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{database}",
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        "CACHE_KEY_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
    }
    admin_sql(f'CREATE DATABASE "{database}"')
    try:
        migrate(env)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as seed_file:
            json.dump(run_json(env, "seed", "200" if options.smoke else "1000"), seed_file)
        counts = {}
        for scenario in scenarios:
            low = instructions(env, seed_file.name, scenario, few, warm_up)
            high = instructions(env, seed_file.name, scenario, many, warm_up)
            counts[scenario] = (high - low) // (many - few)
            print(f"{scenario}: {counts[scenario]:,} instructions per request", flush=True)
        os.unlink(seed_file.name)
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        forget_redis_keys(f"{prefix}:*")
    if "ours_read" in counts:
        for other in ("baseline", "peer"):
            if other in counts:
                print(f"ours_read / {other}: {counts['ours_read'] / counts[other]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
