"""Web pages against the stack's limit, side by side in one run.

The limit is ``benchmarks.bare`` (a Flask "hello") under the same gunicorn settings as the
app (config/gunicorn.conf.py, 2 workers). Each round measures the limit, then an endpoint,
then the limit again, and so on through every endpoint; an endpoint's ratio is its rate over
the mean of the two limit rates around it, so load drifting on a shared machine cancels out.
The median ratio over the rounds is reported with its range.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from benchmarks import wrk
from benchmarks.generate import PASSWORD, Sample
from benchmarks.servers import serve

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: Issue #19's gates, against the app's own /healthz in the same rounds.
FEED_GATES = {"personal feed, 304": 0.9, "personal feed, body cached": 0.8}
#: Issue #24's goals, against the limit.
GOALS = {
    "/healthz": 0.7,
    "personal feed, 304": 0.5,
    "personal feed, body cached": 0.4,
    "coordinator's month": 0.12,
    "leader's booking calendar": 0.12,
    "volunteer's personal page": 0.1,
    "sponsor dashboard": 0.1,
}


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    who: str | None = None  # the login whose session cookie is sent
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


@dataclass
class Row:
    endpoint: Endpoint
    rates: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def login(base: str, email: str) -> str:
    """The session cookie of ``email`` after the real login form, as a Cookie header."""
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
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def endpoints(base: str, sample: Sample) -> list[Endpoint]:
    feed = f"/feeds/personal/{sample.personal_feed}.ics"
    probe = requests.get(base + feed, timeout=60)
    if probe.status_code != 200 or b"BEGIN:VCALENDAR" not in probe.content:
        raise SystemExit(f"personal feed probe failed: HTTP {probe.status_code}")
    month = datetime.now(UTC).strftime("%Y-%m")
    mid, aid = sample.municipality_id, sample.association_id
    return [
        Endpoint("/healthz", "/healthz"),
        Endpoint("landing page (anonymous)", "/"),
        Endpoint("public page", f"/kommun/{sample.slug}"),
        Endpoint("public feed", f"/feeds/kommun/{sample.slug}.ics"),
        Endpoint(
            "personal feed, 304", feed, headers={"If-None-Match": probe.headers["ETag"]}, status=304
        ),
        Endpoint("personal feed, body cached", feed),
        Endpoint("volunteer's personal page", f"/me/{sample.personal_page}"),
        Endpoint("admin's home", "/", "admin"),
        Endpoint("coordinator's home", "/", "coordinator"),
        Endpoint("coordinator's month", f"/planning/{mid}/calendar?month={month}", "coordinator"),
        Endpoint("leader's home", "/", "leader"),
        Endpoint("leader's booking calendar", f"/booking/{aid}/calendar", "leader"),
        Endpoint(
            "walking group (roster)", f"/booking/bookings/{sample.booking_id}/roster", "leader"
        ),
        Endpoint("sponsor's home", "/", "sponsor"),
        Endpoint("sponsor dashboard", "/sponsorship/", "sponsor"),
        Endpoint("payout run", f"/sponsorship/runs/{sample.run_id}", "sponsor"),
    ]


def measure(
    settings: dict[str, object], sample: Sample, *, rounds: int, seconds: float, threads: int = 1
) -> tuple[list[Row], list[float]]:
    """Rows per endpoint and the limit's rates, ``rounds`` rounds of ``seconds`` each."""
    with (
        serve(settings, threads=threads) as base,
        serve(settings, app="benchmarks.bare:app", threads=threads) as limit,
    ):
        cookies = {
            "admin": login(base, sample.admin_email),
            "coordinator": login(base, sample.coordinator_email),
            "leader": login(base, sample.leader_email),
            "sponsor": login(base, sample.sponsor_email),
        }
        rows = [Row(endpoint) for endpoint in endpoints(base, sample)]
        for row in rows:  # every page answers as expected before anything is timed
            headers = _headers(row.endpoint, cookies)
            answer = requests.get(base + row.endpoint.path, headers=headers, timeout=60)
            if answer.status_code != row.endpoint.status:
                raise SystemExit(f"{row.endpoint.label}: HTTP {answer.status_code}")
        limits: list[float] = []
        for number in range(rounds):
            before = wrk.run(limit + "/", seconds=seconds).rate
            limits.append(before)
            for row in rows:
                found = wrk.run(
                    base + row.endpoint.path,
                    seconds=seconds,
                    headers=_headers(row.endpoint, cookies),
                )
                after = wrk.run(limit + "/", seconds=seconds).rate
                limits.append(after)
                row.rates.append(found.rate)
                row.p99.append(found.p99_ms)
                row.ratios.append(found.rate / ((before + after) / 2))
                before = after
            print(f"round {number + 1} of {rounds} done", flush=True)
    return rows, limits


def _headers(endpoint: Endpoint, cookies: dict[str, str]) -> dict[str, str]:
    headers = dict(endpoint.headers)
    if endpoint.who:
        headers["Cookie"] = cookies[endpoint.who]
    return headers


def table(rows: list[Row], limits: list[float]) -> list[str]:
    healthz = next(row for row in rows if row.endpoint.label == "/healthz")
    lines = [
        f"Limit (bare Flask under the same gunicorn): median {statistics.median(limits):.0f} "
        f"req/s, range {min(limits):.0f}–{max(limits):.0f}.",
        "",
        "| Endpoint | req/s (median) | p99 ms (median) | ratio to the limit, median (range) "
        "| goal (#24) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        goal = GOALS.get(row.endpoint.label)
        verdict = "" if goal is None else f"≥ {goal} {'met' if row.ratio >= goal else 'NOT MET'}"
        lines.append(
            f"| {row.endpoint.label} | {statistics.median(row.rates):.0f} "
            f"| {statistics.median(row.p99):.1f} | {row.ratio:.3f} "
            f"({min(row.ratios):.3f}–{max(row.ratios):.3f}) | {verdict} |"
        )
    lines += ["", "Issue #19's feed gates, against the app's own /healthz in the same rounds:", ""]
    for label, goal in FEED_GATES.items():
        row = next(row for row in rows if row.endpoint.label == label)
        per_round = [a / b for a, b in zip(row.rates, healthz.rates, strict=True)]
        ratio = statistics.median(per_round)
        lines.append(
            f"- {label}: {ratio:.2f} of /healthz (range {min(per_round):.2f}–"
            f"{max(per_round):.2f}), goal ≥ {goal}: {'met' if ratio >= goal else 'NOT MET'}"
        )
    return lines
