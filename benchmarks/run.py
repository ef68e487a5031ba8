"""All benchmarks in one command; writes docs/performance.md.

    python -m benchmarks.run [--database-url URL] [--national] [--quick]
        [--requests 300] [--threads 8] [--no-doc]

1. Generates a region (30 municipalities, 300 associations, 6 000 volunteers, one year of
   Friday/Saturday walks with bookings and walkers; ``--national``: 290 municipalities;
   ``--quick``: 3 municipalities for smoke runs) into a fresh SQLite file, or into the given
   PostgreSQL database (which must be empty; the schema is built by the migrations).
2. Starts gunicorn (config/gunicorn.conf.py, 2 workers) on 127.0.0.1, logs in a coordinator
   and a leader through the real login form, and measures every endpoint with a bounded
   threaded load generator: requests/second, p50, p95 and the ratio to /healthz.
3. Runs the sponsor export, SMS dispatch and 100-walk feed benchmarks and includes their
   output.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import re
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import requests

from benchmarks import load
from benchmarks.generate import PASSWORD, Sample, generate
from tests.support.processes import gunicorn

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
SECRET = "benchmark-secret-key-0123456789abcdefghij"
SCALES = {"quick": 3, "region": 30, "national": 290}
# Associations per scale (20 volunteers each): region 300/6 000, national 3 000/60 000.
ASSOCIATIONS = {"quick": 30, "region": 300, "national": 3000}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def login(base: str, email: str) -> requests.Session:
    client = requests.Session()
    client.trust_env = False
    page = client.get(f"{base}/login", timeout=30)
    match = CSRF.search(page.text)
    form = {"email": email, "password": PASSWORD}
    if match:
        form["csrf_token"] = match.group(1)
    answer = client.post(f"{base}/login", data=form, timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise SystemExit(f"login as {email} failed: HTTP {answer.status_code}")
    return client


def endpoints(base: str, sample: Sample) -> list[tuple[str, str, dict, str | None, int]]:
    """(label, URL, headers, who, expected status)."""
    feed = f"{base}/feeds/personal/{sample.personal_feed}.ics"
    probe = requests.get(feed, timeout=60)
    if probe.status_code != 200 or b"BEGIN:VEVENT" not in probe.content:
        raise SystemExit(f"personal feed probe failed: HTTP {probe.status_code}")
    etag = probe.headers["ETag"]
    month = datetime.now(UTC).strftime("%Y-%m")
    mid, aid = sample.municipality_id, sample.association_id
    return [
        ("/healthz (baseline)", f"{base}/healthz", {}, None, 200),
        (
            "coordinator calendar, month",
            f"{base}/planning/{mid}/calendar?month={month}",
            {},
            "coordinator",
            200,
        ),
        (
            "coordinator calendar, list",
            f"{base}/planning/{mid}/calendar?view=list&month={month}",
            {},
            "coordinator",
            200,
        ),
        ("leader booking calendar", f"{base}/booking/{aid}/calendar", {}, "leader", 200),
        ("volunteer personal page", f"{base}/me/{sample.personal_page}", {}, None, 200),
        ("personal feed, cached body", feed, {}, None, 200),
        ("personal feed, 304", feed, {"If-None-Match": etag}, None, 304),
        ("public feed", f"{base}/feeds/kommun/{sample.slug}.ics", {}, None, 200),
    ]


def measure_web(url: str, sample: Sample, total: int, threads: int) -> list[dict]:
    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_LOGIN": "1000 per minute",
    }
    rows = []
    with gunicorn(settings | {"PUBLIC_BASE_URL": "http://127.0.0.1"}, workers=2) as base:
        sessions = {
            "coordinator": login(base, sample.coordinator_email),
            "leader": login(base, sample.leader_email),
        }
        baseline = None
        for label, target, headers, who, expect in endpoints(base, sample):
            cookies = sessions[who].cookies if who else None
            result = load.run(
                target,
                total=total,
                threads=threads,
                headers=headers,
                expect=expect,
                cookies=cookies,
            )
            baseline = baseline or result.rate
            rows.append(
                {
                    "label": label,
                    "rate": result.rate,
                    "p50": result.percentile(50),
                    "p95": result.percentile(95),
                    "ratio": result.rate / baseline,
                }
            )
            print(_row(rows[-1]), flush=True)
    return rows


def _row(row: dict) -> str:
    return (
        f"| {row['label']} | {row['rate']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} "
        f"| {row['ratio']:.2f} |"
    )


def captured(function, argv: list[str]) -> str:  # type: ignore[no-untyped-def]
    """Run another benchmark's main() with ``argv`` and return what it printed."""
    buffer = io.StringIO()
    saved = sys.argv
    sys.argv = [function.__module__, *argv]
    try:
        with contextlib.redirect_stdout(buffer):
            function(argv) if function.__code__.co_argcount else function()
    finally:
        sys.argv = saved
    text = buffer.getvalue()
    print(text, end="", flush=True)
    return text


def machine(load_before: tuple[float, float, float]) -> str:
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    before = ", ".join(f"{value:.1f}" for value in load_before)
    after = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"- CPU: {cpu}, {os.cpu_count()} logical cores\n- RAM: {ram}\n"
        f"- OS: {platform.platform()}, Python {platform.python_version()}\n"
        f"- Load average (1/5/15 min) when the run started: {before}; when it ended: {after}"
    )


def write_doc(command: str, database: str, sample: Sample, rows: list[dict], extra: dict) -> None:
    counts = sample.counts
    lines = [
        "# Performance",
        "",
        "Generated by `python -m benchmarks.run` (`make bench`); every run rewrites this file.",
        "The figures below are from one real run on the machine described; they are",
        "indicative, not a guarantee. Compare the ratios to the baseline rather than the",
        "absolute rates.",
        *(
            [
                "",
                f"**The machine was shared with other processes while measuring** (load "
                f"average {extra['load_before'][0]:.1f} on {os.cpu_count()} cores at the "
                "start), so absolute rates are low and vary from run to run by tens of "
                "percent.",
            ]
            if extra["load_before"][0] > (os.cpu_count() or 1) / 2
            else []
        ),
        "",
        "## Run",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Command: `{command}`",
        f"- Database: {database}",
        machine(extra["load_before"]),
        "",
        "## Data",
        "",
        f"{counts['municipalities']} municipalities, {counts['associations']} associations, "
        f"{counts['volunteers']} volunteers, {counts['shifts']} shifts (every Friday and "
        f"Saturday in three patrol areas per municipality, half a year back and half a year "
        f"ahead), {counts['bookings']} bookings, {counts['walkers']} walkers on them. "
        f"Generated (migrations plus bulk inserts) in {sample.seconds:.1f} s.",
        "",
        "## Web endpoints",
        "",
        f"gunicorn with config/gunicorn.conf.py (2 workers, 4 threads each) on 127.0.0.1; "
        f"{extra['threads']} client threads with keep-alive sessions, {extra['requests']} "
        "requests per endpoint after a warm-up. The coordinator and leader pages use real "
        "login sessions. Latencies are measured by the client, in milliseconds. The volunteer "
        "has about five walks a year; the public feed covers the whole municipality.",
        "",
        "| Endpoint | req/s | p50 ms | p95 ms | ratio to /healthz |",
        "|---|---:|---:|---:|---:|",
        *[_row(row) for row in rows],
        "",
        "## Personal feed with 100 walks",
        "",
        "Issue #19's goals, against the app's own /healthz in the same run (each feed "
        "measurement is taken against /healthz just before and just after it, so drifting "
        "load cancels out); the full render is measured in-process and reported, not gated:",
        "",
        f"`{shlex.join(['python', '-m', 'benchmarks.ical_feed', *extra['feed_argv']])}`",
        "",
        "```",
        extra["feed"].rstrip(),
        "```",
        "",
        "## Sponsor export",
        "",
        "In a temporary SQLite database of its own (approved walks for a large region):",
        "",
        f"`python -m benchmarks.sponsor_export {' '.join(extra['sponsor_argv'])}`",
        "",
        "```",
        extra["sponsor"].rstrip(),
        "```",
        "",
        "## SMS reminder dispatch",
        "",
        f"`python -m benchmarks.sms_dispatch {' '.join(extra['sms_argv'])}` (real Twilio SDK "
        "against the local fake Twilio server)",
        "",
        "```",
        extra["sms"].rstrip(),
        "```",
        "",
    ]
    DOC.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="empty PostgreSQL database")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--national", action="store_true")
    size.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc")
    args = parser.parse_args(argv)
    scale = "national" if args.national else "quick" if args.quick else "region"
    command = "python -m benchmarks.run " + shlex.join(
        [a for a in (argv if argv is not None else sys.argv[1:])]
    )
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
    from benchmarks import ical_feed, sms_dispatch, sponsor_export

    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="nv-bench-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        database = "PostgreSQL" if url.startswith("postgres") else "SQLite (a fresh file)"
        print(f"generating {scale} scale ({SCALES[scale]} municipalities) ...", flush=True)
        sample = generate(
            url,
            municipalities=SCALES[scale],
            secret_key=SECRET,
            associations=ASSOCIATIONS[scale],
        )
        print(f"generated in {sample.seconds:.1f} s: {sample.counts}", flush=True)
        print("| Endpoint | req/s | p50 ms | p95 ms | ratio |", flush=True)
        rows = measure_web(url, sample, args.requests, args.threads)
        small = scale == "quick"
        sponsor_argv = (
            ["--associations", "30", "--walks", "2000"]
            if small
            else ["--associations", "300", "--walks", "30000"]
        )
        sms_argv = ["--n", "200" if small else "1000"]
        feed_argv = ["--requests", "200", "--rounds", "3"] if small else []
        # The helpers fill scratch databases of their own (temporary SQLite files).
        sponsor = captured(sponsor_export.main, sponsor_argv)
        sms = captured(sms_dispatch.main, sms_argv)
        feed = captured(ical_feed.main, feed_argv)
    extra = {
        "load_before": load_before,
        "threads": args.threads,
        "requests": args.requests,
        "sponsor": sponsor,
        "sponsor_argv": sponsor_argv,
        "sms": sms,
        "sms_argv": sms_argv,
        "feed": feed,
        "feed_argv": feed_argv,
    }
    if not args.no_doc:
        write_doc(command.strip(), database, sample, rows, extra)
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
