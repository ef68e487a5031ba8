"""All benchmarks in one command; writes docs/performance.md.

    python -m benchmarks.run [--postgres URL] [--national] [--quick] [--rounds 3]
        [--seconds 3] [--web-only] [--no-doc]

1. Generates a region (30 municipalities, 300 associations, 6 000 volunteers, one year of
   Friday/Saturday walks with bookings and walkers, approved reports with hours-ledger rows
   for the past half year, a sponsor with a draft payout run; ``--national``: 290
   municipalities; ``--quick``: 3 municipalities for smoke runs) into a fresh SQLite file,
   and the same into the given PostgreSQL database (which must be empty; the schema is built
   by the migrations).
2. For each database, starts the app and a bare Flask "hello" (the stack's limit) under
   gunicorn with config/gunicorn.conf.py (2 workers), logs in an administrator, a
   coordinator, a leader and a sponsor through the real login form, and measures every
   endpoint with ``wrk -t1 -c8`` alternating with the limit, ``--rounds`` rounds
   (benchmarks/web.py).
3. Unless ``--web-only``: the sponsor export, SMS dispatch and 100-walk feed benchmarks.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import web
from benchmarks.generate import Sample, generate

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
SECRET = "benchmark-secret-key-0123456789abcdefghij"
SCALES = {"quick": 3, "region": 30, "national": 290}
# Associations per scale (20 volunteers each): region 300/6 000, national 3 000/60 000.
ASSOCIATIONS = {"quick": 30, "region": 300, "national": 3000}


def measure_database(url: str, scale: str, args: argparse.Namespace) -> dict:
    print(f"generating {scale} scale ({SCALES[scale]} municipalities) ...", flush=True)
    sample = generate(
        url, municipalities=SCALES[scale], secret_key=SECRET, associations=ASSOCIATIONS[scale]
    )
    print(f"generated in {sample.seconds:.1f} s: {sample.counts}", flush=True)
    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "RATELIMIT_LOGIN": "1000 per minute",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
    }
    rows, limits = web.measure(
        settings, sample, rounds=args.rounds, seconds=args.seconds, threads=args.threads
    )
    lines = web.table(rows, limits)
    print("\n".join(lines), flush=True)
    return {"sample": sample, "lines": lines}


def captured(function, argv: list[str]) -> str:
    """Run another benchmark's main() with ``argv`` and return what it printed."""
    buffer = io.StringIO()
    saved = sys.argv
    sys.argv = [function.__module__, *argv]
    try:
        with contextlib.redirect_stdout(buffer):
            function(argv) if function.__code__.co_argcount else function()
    except (Exception, SystemExit) as exc:  # one failed benchmark must not lose the others
        buffer.write(f"FAILED: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:300]}\n")
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


def _data(sample: Sample) -> str:
    counts = sample.counts
    return (
        f"{counts['municipalities']} municipalities, {counts['associations']} associations, "
        f"{counts['volunteers']} volunteers, {counts['shifts']} shifts (every Friday and "
        "Saturday in three patrol areas per municipality, half a year back and half a year "
        f"ahead), {counts['bookings']} bookings, {counts['walkers']} walkers on them, "
        f"{counts['reports']} approved reports and {counts['ledger_rows']} hours-ledger rows "
        "(every past booking), one sponsor agreement with a draft payout run over the past "
        f"half year. Generated (migrations plus bulk inserts) in {sample.seconds:.1f} s."
    )


def _block(title: str, command: str, text: str, intro: str = "") -> list[str]:
    return [
        f"## {title}",
        "",
        *([intro, ""] if intro else []),
        f"`{command}`",
        "",
        "```",
        text.rstrip(),
        "```",
        "",
    ]


def write_doc(command: str, results: dict[str, dict], extra: dict) -> None:
    load_before = extra["load_before"]
    lines = [
        "# Performance",
        "",
        "Generated by `python -m benchmarks.run` (`make bench`); every run rewrites this file.",
        "The figures below are from one real run on the machine described; they are",
        "indicative, not a guarantee. Compare the ratios, not the absolute rates.",
        *(
            [
                "",
                f"**The machine was shared with other processes while measuring** (load "
                f"average {load_before[0]:.1f} on {os.cpu_count()} cores at the start), so "
                "absolute rates are low and vary between runs; the ratios are measured side "
                "by side and cancel most of it.",
            ]
            if load_before[0] > (os.cpu_count() or 1) / 2
            else []
        ),
        "",
        "## Run",
        "",
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Command: `{command}`",
        machine(load_before),
        "",
        "## Web endpoints against the stack's limit",
        "",
        'The limit is a bare Flask "hello" (`benchmarks/bare.py`) under the same gunicorn '
        f"settings as the app (config/gunicorn.conf.py, 2 {extra['worker_class']} workers), "
        "both on 127.0.0.1. The client is `wrk -t1 -c8`, "
        f"{extra['seconds']:g} s per measurement. Each of {extra['rounds']} rounds measures "
        "the limit, an endpoint, the limit, the next endpoint and so on; an endpoint's ratio "
        "is its rate over the mean of the two limit rates around it. The pages behind a login "
        "use real sessions from the login form. The volunteer has about five walks a year; "
        "the public feed and page cover the whole municipality; the coordinator's month and "
        "the leader's calendar show the current month.",
        "",
    ]
    for database, result in results.items():
        lines += [f"### {database}", "", _data(result["sample"]), "", *result["lines"], ""]
    if "feed" in extra:
        lines += _block(
            "Personal feed with 100 walks",
            shlex.join(["python", "-m", "benchmarks.ical_feed", *extra["feed_argv"]]),
            extra["feed"],
            "Issue #19's gates in a database of its own (one volunteer on 100 walks), against "
            "the app's own /healthz measured just before and after each feed case; the full "
            "render (a cache miss) is measured in-process and reported, not gated.",
        )
        lines += _block(
            "Sponsor export",
            f"python -m benchmarks.sponsor_export {' '.join(extra['sponsor_argv'])}",
            extra["sponsor"],
            "In a temporary SQLite database of its own (approved walks for a large region):",
        )
        lines += _block(
            "SMS reminder dispatch",
            f"python -m benchmarks.sms_dispatch {' '.join(extra['sms_argv'])}",
            extra["sms"],
            "Real Twilio SDK against the local fake Twilio server:",
        )
    DOC.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="", help="an empty PostgreSQL database, too")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--national", action="store_true")
    size.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="per wrk measurement")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads (>1: gthread)")
    parser.add_argument("--web-only", action="store_true", help="skip the other benchmarks")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc")
    args = parser.parse_args(argv)
    scale = "national" if args.national else "quick" if args.quick else "region"
    given = argv if argv is not None else sys.argv[1:]
    command = shlex.join(["python", "-m", "benchmarks.run", *given])
    command = command.replace(args.postgres, "postgresql://…") if args.postgres else command
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
    from benchmarks import ical_feed, sms_dispatch, sponsor_export

    load_before = os.getloadavg()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="nv-bench-") as folder:
        sqlite = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        results["SQLite"] = measure_database(sqlite, scale, args)
    if args.postgres:
        results["PostgreSQL"] = measure_database(args.postgres, scale, args)
    extra: dict = {
        "load_before": load_before,
        "rounds": args.rounds,
        "seconds": args.seconds,
        "worker_class": "gthread" if args.threads > 1 else "sync",
    }
    if not args.web_only:
        small = scale == "quick"
        extra["sponsor_argv"] = (
            ["--associations", "30", "--walks", "2000"]
            if small
            else ["--associations", "300", "--walks", "30000"]
        )
        extra["sms_argv"] = ["--n", "200" if small else "1000"]
        extra["feed_argv"] = ["--rounds", "3"] if small else []
        # The helpers fill scratch databases of their own (temporary SQLite files).
        extra["sponsor"] = captured(sponsor_export.main, extra["sponsor_argv"])
        extra["sms"] = captured(sms_dispatch.main, extra["sms_argv"])
        extra["feed"] = captured(ical_feed.main, extra["feed_argv"])
    if not args.no_doc:
        write_doc(command, results, extra)
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
