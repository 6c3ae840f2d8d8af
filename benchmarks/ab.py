"""Two commits side by side in one run, for changes too small for `make bench`.

On a shared machine `make bench` figures of one commit move by up to a fifth
between runs, which hides a change worth a few per cent. This seeds one
database, starts one gunicorn per checkout (this one as it is on disk, and
REF in a temporary worktree) on it and on Redis, and alternates short wrk rounds between the two
servers (baseline, peer and ours_read on each, the order of the servers
swapped every round), so drift hits both alike. It prints ours-read/peer and
ours-read/baseline per round and their medians. It needs what `make bench`
needs, and REF must have this checkout's migrations.

    .venv/bin/python -m benchmarks.ab REF [--sites 10000] [--rounds 6] [--duration 4]
"""

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.run import (
    ROOT,
    admin_sql,
    fail,
    forget_redis_keys,
    migrate,
    run_json,
    start_gunicorn,
    wrk,
)
from benchmarks.scenarios import scenario_requests

NAMES = ("baseline", "peer", "ours_read")


def git(*args: str) -> str:
    return subprocess.run(  # noqa: S603
        [shutil.which("git") or "git", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the commit to compare this checkout with")
    parser.add_argument("--sites", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--duration", type=float, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    options = parser.parse_args()
    if git("diff", "--name-only", options.ref, "--", "*/migrations/*"):
        fail(f"{options.ref} has other migrations than this checkout")
    database = f"bench_ab_{os.getpid()}"
    other = Path(tempfile.mkdtemp(prefix="bench-ab-")) / "checkout"
    git("worktree", "add", "--detach", str(other), options.ref)
    admin_sql(f'CREATE DATABASE "{database}"')
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOW_PLAIN_HTTP": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "LOG_LEVEL": "WARNING",
    }
    servers, processes = {}, []
    try:
        env = {**base_env, "PYTHONPATH": str(ROOT), "CACHE_KEY_PREFIX": f"{database}-seed"}
        migrate(env)
        scenarios = scenario_requests(run_json(env, "seed", str(options.sites)))
        for index, (label, checkout) in enumerate((("this checkout", ROOT), (options.ref, other))):
            prefix = f"{database}-{index}"
            env = {**base_env, "PYTHONPATH": str(checkout), "CACHE_KEY_PREFIX": prefix}
            process, url = start_gunicorn(env, os.cpu_count() or 2, cwd=checkout)
            processes.append(process)
            servers[label] = url
        drive = {"duration": options.duration, "connections": options.connections}
        drive["threads"] = options.threads
        for url in servers.values():
            for name in NAMES:
                wrk(url, scenarios[name], **{**drive, "duration": 2}, tag="warm")
        ratios = {label: {"peer": [], "baseline": []} for label in servers}
        for round_number in range(options.rounds):
            order = list(servers) if round_number % 2 == 0 else list(reversed(servers))
            for label in order:
                rps = {
                    name: wrk(servers[label], scenarios[name], **drive, tag=f"r{round_number}")
                    for name in NAMES
                }
                rps = {name: r["requests"] / r["duration_us"] * 1e6 for name, r in rps.items()}
                for against in ("peer", "baseline"):
                    ratios[label][against].append(round(rps["ours_read"] / rps[against], 3))
                print(f"round {round_number + 1} {label}: " + json.dumps(ratios[label]), flush=True)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        git("worktree", "remove", "--force", str(other))
        forget_redis_keys(f"{database}-*")
    for label, values in ratios.items():
        peer, baseline = (statistics.median(values[k]) for k in ("peer", "baseline"))
        print(f"{label}: ours-read/peer {peer:.3f}, ours-read/baseline {baseline:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
