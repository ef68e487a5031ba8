"""The ledger API for sponsorship, the hours pages and the chart."""

from __future__ import annotations

from datetime import UTC, date, datetime

from nattvandring import clock
from nattvandring.reports.charts import bar_chart
from nattvandring.reports.queries import (
    AssociationMonth,
    approved_walks,
    hours_by_association_month,
)
from nattvandring.reports.services_review import correct_walker
from tests.factories import login

from .conftest import march_world


def test_approved_walks_with_cutoff(db, world) -> None:
    clock.freeze(datetime(2026, 5, 1, 10, tzinfo=UTC))
    built = march_world(db, world)
    cutoff = datetime(2026, 5, 1, 11, tzinfo=UTC)
    clock.freeze(datetime(2026, 5, 2, 10, tzinfo=UTC))
    # After the cutoff, vol_a2 is removed from walk 1 (corrected to 0 minutes).
    correct_walker(
        db,
        built["r1"],
        user_id=world.ids["vol_a2"],
        minutes=0,
        reason="Var inte med",
        actor_id=world.ids["coord_h"],
    )
    ids = [world.ids["assoc_a"], world.ids["assoc_b"]]
    then = approved_walks(
        db,
        association_ids=ids,
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        recorded_before=cutoff,
    )
    walk1 = then[world.ids["assoc_a"]][0]
    assert walk1.shift_id == built["walks"][0].shift.id
    assert walk1.evening == date(2026, 3, 6)
    assert walk1.start_at == datetime(2026, 3, 6, 20, tzinfo=UTC)
    assert walk1.walkers == [(1980, 300), (1980, 120)]
    assert walk1.municipality_id == world.ids["hassleholm"]
    assert [w.walker_count for w in then[world.ids["assoc_b"]]] == [2]
    now = approved_walks(db, association_ids=ids, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert now[world.ids["assoc_a"]][0].walkers == [(1980, 300)]
    # Walk 3 (submitted only) and walk 4 (April) are not there.
    assert len(now[world.ids["assoc_a"]]) == 1
    months = hours_by_association_month(
        db, association_ids=ids, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    assert months == [
        AssociationMonth(world.ids["assoc_a"], date(2026, 3, 1), 1, 1, 300),
        AssociationMonth(world.ids["assoc_a"], date(2026, 4, 1), 1, 1, 180),
        AssociationMonth(world.ids["assoc_b"], date(2026, 3, 1), 1, 2, 480),
    ]
    assert hours_by_association_month(
        db,
        association_ids=ids,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        area_id=built["station"].id,
    ) == [AssociationMonth(world.ids["assoc_b"], date(2026, 3, 1), 1, 2, 480)]


def _row(label: str, *cells: str) -> str:
    """A row of the hours tables: its label, then walks, walkers and hours (as a phone's card
    labels them)."""
    labels = ("Vandringar", "Vandrare", "Timmar")
    tds = "".join(
        f'<td class="num" data-label="{name}">{c}</td>'
        for name, c in zip(labels, cells, strict=True)
    )
    return f'<th scope="row">{label}</th>{tds}'


def test_leader_hours_page(client, db, world) -> None:
    march_world(db, world)
    db.commit()
    login(client, world.emails["leader_a"])
    html = client.get("/hours?year=2026").get_data(as_text=True)
    assert "IFK Hässleholm" in html
    assert _row("2026-03", "1", "2", "7 h") in html
    assert _row("2026-04", "1", "1", "3 h") in html
    assert "Våren 2026" in html and "10 h" in html
    assert "<svg" in html
    # Another association's id in the URL shows the leader's own association, never B's.
    other = client.get(f"/hours?year=2026&association={world.ids['assoc_b']}").get_data(
        as_text=True
    )
    assert "Scoutkåren" not in other and "IFK Hässleholm" in other


def test_coordinator_hours_with_filters(client, db, world) -> None:
    built = march_world(db, world)
    db.commit()
    login(client, world.emails["coord_h"])
    html = client.get("/hours?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    assert _row("IFK Hässleholm", "2", "3", "10 h") in html
    assert _row("Scoutkåren", "1", "2", "8 h") in html
    assert "Bjuvs IF" not in html
    only_b = client.get(
        f"/hours?from=2026-01-01&to=2026-12-31&area={built['station'].id}"
    ).get_data(as_text=True)
    assert "IFK Hässleholm</th>" not in only_b and "Scoutkåren</th>" in only_b
    filtered = client.get(
        f"/hours?from=2026-01-01&to=2026-12-31&association={world.ids['assoc_c']}"
    ).get_data(as_text=True)  # another municipality's association: ignored, all own shown
    assert "Bjuvs IF</th>" not in filtered and "Scoutkåren</th>" in filtered


def test_bar_chart_is_escaped_svg() -> None:
    svg = bar_chart(
        title="Timmar <per> månad",
        description="Test",
        labels=["jan", "feb"],
        series=[("A & B", [1, 4.5]), ("C", [0, 2])],
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "Timmar &lt;per&gt; månad" in svg and "A &amp; B" in svg
    assert svg.count("<rect") == 4 + 2  # bars plus legend swatches
    assert "A &amp; B, feb: 4,5" in svg
