"""The benchmark behind `make bench`: throughput, latency and scaling of our API
beside a bare Django view (the floor) and djangorestframework-api-key (the peer),
on one machine, in one run, so every figure can be read as a ratio.

For each data size it creates a PostgreSQL database of its own, seeds one team
with that many sites, starts gunicorn (workers = cores, production settings, plain
HTTP allowed) with Redis, and drives each scenario with wrk at a fixed concurrency
for a fixed duration after a warm-up, interleaving the scenarios round by round so
drift hits all of them. Prints one table and writes the same as JSON.

    .venv/bin/python -m benchmarks.run [--sites 10000,100000] [--duration 10] [--smoke]
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scenarios import scenario_requests  # noqa: E402

LUA = ROOT / "benchmarks" / "lua" / "request.lua"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS = ("127.0.0.1", 6379)
SCENARIO_ORDER = [
    "baseline",
    "peer",
    "ours_read",
    "ours_list_first",
    "ours_list_deep",
    "ours_find_or_create",
    "ours_create",
]


def fail(message: str) -> None:
    print(f"benchmark: {message}", file=sys.stderr)
    sys.exit(2)


def port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as connection:
        connection.execute(statement)


def forget_redis_keys(pattern: str) -> None:
    """The counters and stamps a benchmark's servers left (stamps live a day)."""
    import redis

    client = redis.Redis(host=REDIS[0], port=REDIS[1])
    for key in client.scan_iter(pattern, count=1000):
        client.delete(key)


def migrate(env: dict) -> None:
    """Migrate the benchmark database `env` names."""
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run_json(env: dict, *args: str) -> dict:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "benchmarks.inprocess", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        fail(f"benchmarks.inprocess {args[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def worker_memory_kib(master_pid: int) -> list[int]:
    children = subprocess.run(  # noqa: S603
        [shutil.which("ps"), "--ppid", str(master_pid), "-o", "pid="],
        capture_output=True,
        text=True,
        check=False,  # noqa: S607
    ).stdout.split()
    sizes = []
    for pid in children:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]))
        except OSError:
            continue
    return sorted(sizes)


def start_gunicorn(env: dict, workers: int, cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=cwd,
        env={**env, "BASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(f"{url}/api/v1/sites", timeout=2)  # noqa: S310
        except urllib.error.HTTPError:
            return process, url
        except OSError:
            time.sleep(0.2)
    fail("gunicorn did not start")


def wrk(
    url: str, scenario: tuple, *, duration: float, connections: int, threads: int, tag: str
) -> dict:
    method, path, body, headers = scenario
    seconds = max(1, round(duration))  # wrk takes whole seconds
    env = {**os.environ, "BENCH_METHOD": method}
    if "HTTP_AUTHORIZATION" in headers:
        env["BENCH_AUTH"] = headers["HTTP_AUTHORIZATION"]
    if body == "fresh":
        env["BENCH_FRESH"] = tag
    elif body is not None:
        env["BENCH_BODY"] = json.dumps(body)
    result = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk"),
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url + path,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    fail(f"wrk gave no result for {path}:\n{result.stdout}\n{result.stderr}")


def bench_one_size(sites: int, options) -> dict:
    database = f"bench_{os.getpid()}_{sites}"
    admin_sql(f'DROP DATABASE IF EXISTS "{database}"')
    admin_sql(f'CREATE DATABASE "{database}"')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOW_PLAIN_HTTP": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{database}",
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        "CACHE_KEY_PREFIX": f"bench-{os.getpid()}-{sites}",
        "LOG_LEVEL": "WARNING",
    }
    try:
        migrate(env)
        started = time.monotonic()
        seed = run_json(env, "seed", str(sites))
        seconds_to_seed = round(time.monotonic() - started, 1)
        scenarios = scenario_requests(seed)
        queries = run_json(env, "queries", json.dumps(seed))
        auth = run_json(env, "auth", json.dumps(seed))
        workers = os.cpu_count() or 2
        process, url = start_gunicorn(env, workers)
        try:
            names = [name for name in SCENARIO_ORDER if name in scenarios]
            for name in names:  # warm-up, not recorded
                wrk(
                    url,
                    scenarios[name],
                    duration=options.warmup,
                    connections=options.connections,
                    threads=options.threads,
                    tag=f"warm{name}",
                )
            memory_warm = worker_memory_kib(process.pid)
            rounds: dict[str, list[dict]] = {name: [] for name in names}
            for round_number in range(options.rounds):
                for name in names:
                    rounds[name].append(
                        wrk(
                            url,
                            scenarios[name],
                            duration=options.duration,
                            connections=options.connections,
                            threads=options.threads,
                            tag=f"r{round_number}{name}",
                        )
                    )
            memory_after = worker_memory_kib(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        forget_redis_keys(f"{env['CACHE_KEY_PREFIX']}:*")
    results = {}
    for name, runs in rounds.items():
        total = sum(run["requests"] for run in runs)
        seconds = sum(run["duration_us"] for run in runs) / 1e6
        results[name] = {
            "rps": round(total / seconds, 1),
            "p50_ms": round(statistics.median(run["p50_us"] for run in runs) / 1000, 2),
            "p99_ms": round(statistics.median(run["p99_us"] for run in runs) / 1000, 2),
            "non_2xx": sum(run["non_2xx"] for run in runs),
            "socket_errors": sum(run["socket_errors"] for run in runs),
            "queries": queries.get(name),
        }
    return {
        "sites": sites,
        "seconds_to_seed": seconds_to_seed,
        "workers": workers,
        "scenarios": results,
        "auth_timeit": auth,
        "worker_memory_kib": {"after_warmup": memory_warm, "after_run": memory_after},
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def summarize(run: dict) -> dict:
    s = run["scenarios"]
    read, base, peer = s["ours_read"], s["baseline"], s["peer"]
    deep, first = s.get("ours_list_deep"), s["ours_list_first"]
    warm, after = (sum(run["worker_memory_kib"][k]) for k in ("after_warmup", "after_run"))
    return {
        "read_vs_baseline_rps": ratio(read["rps"], base["rps"]),
        "read_vs_peer_rps": ratio(read["rps"], peer["rps"]),
        "deep_vs_first_page_p50": ratio(deep and deep["p50_ms"], first["p50_ms"]),
        "read_p99_vs_p50": ratio(read["p99_ms"], read["p50_ms"]),
        "worker_memory_growth": ratio(after, warm),
        "auth_ours_vs_peer_time": run["auth_timeit"]["ratio_ours_to_peer"],
    }


TARGETS = {
    "read_vs_baseline_rps": (">=", 0.7),
    "read_vs_peer_rps": (">=", 1.2),
    "deep_vs_first_page_p50": ("<=", 1.2),
    "read_p99_vs_p50": ("<=", 3.0),
    "worker_memory_growth": ("<=", 1.1),
    "auth_ours_vs_peer_time": ("<=", 1.0),
}


def table(run: dict, summary: dict) -> str:
    lines = [
        f"### {run['sites']:,} sites ({run['workers']} gunicorn workers)",
        "",
        "| scenario | req/s | p50 ms | p99 ms | queries/req | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in run["scenarios"].items():
        lines.append(
            f"| {name} | {row['rps']:,.0f} | {row['p50_ms']} | {row['p99_ms']} | "
            f"{row['queries'] if row['queries'] is not None else '-'} | {row['non_2xx']} |"
        )
    auth = run["auth_timeit"]
    lines += [
        "",
        f"Authentication in-process: ours {auth['ours_us']} µs ({auth['ours_queries']} query), "
        f"djangorestframework-api-key {auth['peer_us']} µs.",
        f"Worker RSS (KiB): after warm-up {run['worker_memory_kib']['after_warmup']}, "
        f"after the run {run['worker_memory_kib']['after_run']}.",
        "",
        "| ratio | measured | target |",
        "|---|---:|---|",
    ]
    for key, value in summary.items():
        op, target = TARGETS[key]
        met = value is not None and (value >= target if op == ">=" else value <= target)
        lines.append(f"| {key} | {value} | {op} {target} {'✓' if met else '✗'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", default="10000,100000")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "latest.json"))
    parser.add_argument("--smoke", action="store_true", help="tiny data, a few seconds: CI")
    options = parser.parse_args()
    if options.smoke:
        options.sites, options.duration, options.warmup, options.rounds = "200", 1, 1, 1
        options.json = str(ROOT / "benchmarks" / "results" / "smoke.json")
    if shutil.which("wrk") is None:
        fail("wrk is not installed (Debian package `wrk`; `make bench` installs it)")
    if not port_open(PG["host"], PG["port"]):
        fail(f"PostgreSQL is not reachable on {PG['host']}:{PG['port']}")
    if not port_open(*REDIS):
        fail(f"Redis is not reachable on {REDIS[0]}:{REDIS[1]}")

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "settings": {
            k: getattr(options, k)
            for k in ("duration", "warmup", "rounds", "connections", "threads")
        },
        "runs": [],
    }
    for sites in (int(n) for n in options.sites.split(",")):
        run = bench_one_size(sites, options)
        run["ratios"] = summarize(run)
        report["runs"].append(run)
        print(table(run, run["ratios"]), "\n", flush=True)
    Path(options.json).parent.mkdir(parents=True, exist_ok=True)
    Path(options.json).write_text(json.dumps(report, indent=2))
    print(f"Machine: {report['machine']}; {report['date']}; JSON in {options.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
