"""gunicorn worker classes side by side: 2 sync workers against 2 gthread workers of 4 threads.

    python -m benchmarks.workers [--postgres URL] [--rounds 3] [--seconds 3]

Generates the quick-scale data (3 municipalities) into a fresh SQLite file (or the given
empty PostgreSQL database), serves it twice at once with config/gunicorn.conf.py, once per
worker class, and alternates ``wrk -t1 -c8`` between the two on the same endpoints, so both
see the same machine load. Prints the median rate and p99 latency per endpoint and class;
docs/deployment.md ("Workers") records the outcome.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from benchmarks import web, wrk
from benchmarks.generate import generate
from benchmarks.servers import serve

SECRET = "benchmark-secret-key-0123456789abcdefghij"
LABELS = (
    "/healthz",
    "personal feed, body cached",
    "volunteer's personal page",
    "coordinator's month",
    "leader's booking calendar",
    "sponsor dashboard",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nv-bench-") as folder:
        url = args.postgres or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        sample = generate(url, municipalities=3, secret_key=SECRET, associations=30)
        settings = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "PUBLIC_BASE_URL": "http://x"}
        with serve(settings, threads=1) as sync, serve(settings, threads=4) as gthread:
            bases = {"sync": sync, "gthread": gthread}
            cookies = {
                name: {
                    who: web.login(base, email)
                    for who, email in (
                        ("admin", sample.admin_email),
                        ("coordinator", sample.coordinator_email),
                        ("leader", sample.leader_email),
                        ("sponsor", sample.sponsor_email),
                    )
                }
                for name, base in bases.items()
            }
            chosen = [e for e in web.endpoints(sync, sample) if e.label in LABELS]
            found: dict[tuple[str, str], list[wrk.Result]] = {}
            for _ in range(args.rounds):
                for endpoint in chosen:
                    for name, base in bases.items():
                        headers = web._headers(endpoint, cookies[name])
                        result = wrk.run(
                            base + endpoint.path, seconds=args.seconds, headers=headers
                        )
                        found.setdefault((endpoint.label, name), []).append(result)
    print("| Endpoint | sync req/s | gthread req/s | sync/gthread | sync p99 ms | gthread p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for endpoint in chosen:
        s, g = found[(endpoint.label, "sync")], found[(endpoint.label, "gthread")]
        rate_s = statistics.median(r.rate for r in s)
        rate_g = statistics.median(r.rate for r in g)
        print(
            f"| {endpoint.label} | {rate_s:.0f} | {rate_g:.0f} | {rate_s / max(rate_g, 0.01):.2f} "
            f"| {statistics.median(r.p99_ms for r in s):.0f} "
            f"| {statistics.median(r.p99_ms for r in g):.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
