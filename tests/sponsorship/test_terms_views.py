"""Editing an agreement's terms: from a date, with a preview, history, and who may."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.sponsorship import services_membership as membership
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship import services_terms
from nattvandring.sponsorship.models import AgreementMunicipality, AgreementTerms, SponsorAgreement

from .conftest import agreement as make_agreement
from .conftest import login_as as login
from .conftest import walk

pytestmark = pytest.mark.usefixtures("world")
ADULTS = [1980, 1981, 1982]


def _form(world, **changes) -> dict:
    data = {
        "name": "Trygghetsvandring",
        "valid_from": "2026-01-01",
        "valid_to": "2028-12-31",
        "municipality_ids": [world.ids["hassleholm"], world.ids["bjuv"]],
        "budget": "",
        "cap": "",
        "kind": "per_walk",
        "amount": "1500",
        "packages": "",
        "min_walkers": "3",
        "min_age": "18",
        "allocation": "by_date",
        "terms_from": "",
    }
    data.update(changes)
    return data


def _edit(client, url: str, world, **changes):
    """Open the edit page, as its user would, and post the form with ``changes``."""
    return client.post(url, data=_form(world, revision=_shown_revision(client, url), **changes))


def _shown_revision(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="revision" type="hidden" value="(\d+)"', page)
    assert found, "the edit form carries the agreement's revision"
    return found.group(1)


def _versions(db, deal) -> list[tuple[date, int]]:
    db.rollback()  # end the read snapshot: the app committed in its own session
    rows = db.exec(
        select(AgreementTerms)
        .where(AgreementTerms.agreement_id == deal.id)
        .order_by(AgreementTerms.valid_from)
    ).all()
    return [(row.valid_from, row.rule["amount_ore"]) for row in rows]


def test_a_rate_change_asks_from_when_shows_what_it_changes_and_keeps_history(
    client, db, world, place
):
    clock.freeze(datetime(2026, 3, 1, tzinfo=UTC))
    deal = make_agreement(db, world, enrol=("assoc_a",))
    for day in (6, 13):
        walk(db, **place["assoc_a"], evening=date(2026, 3, day), birth_years=ADULTS)
    walk(db, **place["assoc_a"], evening=date(2026, 4, 10), birth_years=ADULTS)
    clock.freeze(datetime(2026, 4, 20, tzinfo=UTC))
    march = runs.create_run(
        db,
        agreement=deal,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        actor_id=None,
    )
    runs.approve(db, run=march, agreement=deal, actor_id=world.ids["admin"])
    db.commit()
    login(client, world.emails["liaison"])
    url = f"/sponsorship/agreements/{deal.id}/edit"
    assert "tidigast från 2026-04-01" in client.get(url).get_data(as_text=True)

    missing = _edit(client, url, world, amount="2000")
    assert missing.status_code == 422
    assert "Ange från vilket datum ändringen gäller." in missing.get_data(as_text=True)
    settled = _edit(client, url, world, amount="2000", terms_from="2026-03-15")
    assert settled.status_code == 422
    assert "tidigast från 2026-04-01" in settled.get_data(as_text=True)

    preview = _edit(client, url, world, amount="2000", terms_from="2026-04-01")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Kontrollera ändringen innan du sparar" in page
    assert "2026-04-01 – 2026-04-20" in page and "1 500 kr" in page and "2 000 kr" in page
    assert _versions(db, deal) == [(date(2026, 1, 1), 150_000)]  # nothing saved yet

    saved = _edit(client, url, world, amount="2000", terms_from="2026-04-01", confirm="1")
    assert saved.status_code == 302
    assert _versions(db, deal) == [(date(2026, 1, 1), 150_000), (date(2026, 4, 1), 200_000)]
    page = client.get(f"/sponsorship/agreements/{deal.id}").get_data(as_text=True)
    assert "Villkorens historik" in page
    assert "1 500 kr per godkänd vandring" in page and "2 000 kr per godkänd vandring" in page


def test_only_the_liaison_or_an_admin_changes_a_shared_agreements_terms(client, db, world):
    deal = make_agreement(db, world, enrol=())  # Hässleholm and Bjuv
    db.commit()
    login(client, world.emails["coord_h"])
    url = f"/sponsorship/agreements/{deal.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "ändras av sponsorns kontaktperson" in page and 'name="amount"' not in page
    # A posted rate is ignored: the terms stay as they are.
    done = _edit(
        client,
        url,
        world,
        amount="9000",
        terms_from="2026-06-01",
        municipality_ids=[world.ids["hassleholm"]],
    )
    assert done.status_code == 302
    assert _versions(db, deal) == [(date(2026, 1, 1), 150_000)]
    covered = db.exec(
        select(AgreementMunicipality.municipality_id).where(
            AgreementMunicipality.agreement_id == deal.id
        )
    ).all()
    assert sorted(covered) == sorted([world.ids["hassleholm"], world.ids["bjuv"]])
    refused = _edit(client, url, world, amount="9000", terms_from="2026-06-01")
    assert refused.status_code == 422  # Bjuv's coverage is not Hässleholm's to change
    assert _versions(db, deal) == [(date(2026, 1, 1), 150_000)]


def test_the_coordinator_of_a_one_municipality_agreement_changes_its_terms(client, db, world):
    deal = make_agreement(db, world, municipalities=("bjuv",), enrol=())
    db.commit()
    login(client, world.emails["coord_b"])
    url = f"/sponsorship/agreements/{deal.id}/edit"
    data = _form(
        world,
        amount="1800",
        terms_from="2026-06-01",
        municipality_ids=[world.ids["bjuv"]],
        revision=_shown_revision(client, url),
    )
    assert client.post(url, data=data).status_code == 200  # the preview
    assert client.post(url, data={**data, "confirm": "1"}).status_code == 302
    assert _versions(db, deal) == [(date(2026, 1, 1), 150_000), (date(2026, 6, 1), 180_000)]


def test_the_agreement_page_shows_the_budget_and_cap_in_force_today(client, db, world):
    """A version from next year is in the history, not in today's facts."""
    clock.freeze(datetime(2026, 6, 1, tzinfo=UTC))
    deal = make_agreement(db, world, budget_ore=10_000_000)
    today = services_terms.current(db, deal)
    later = services_terms.TermsInput(today.rule, budget_ore=30_000_000, cap_ore=500_000)
    services_terms.add_version(
        db, agreement=deal, terms=later, valid_from=date(2027, 1, 1), actor_id=None
    )
    db.commit()
    login(client, world.emails["liaison"])
    page = client.get(f"/sponsorship/agreements/{deal.id}").get_data(as_text=True)
    facts = page[page.index('<dl class="facts">') : page.index("</dl>")]
    assert "100 000 kr (använt 0 kr, kvar 100 000 kr)" in facts
    assert "Inget tak" in facts
    assert "300 000 kr" not in facts and "5 000 kr" not in facts
    assert "Villkorens historik" in page


def _covered(db, deal) -> list[int]:
    db.rollback()  # end the read snapshot: the app committed in its own session
    return sorted(
        db.exec(
            select(AgreementMunicipality.municipality_id).where(
                AgreementMunicipality.agreement_id == deal.id
            )
        ).all()
    )


@pytest.mark.parametrize("step", ["save", "preview"])
def test_a_form_loaded_before_another_change_does_not_undo_it(client, db, world, step):
    """The liaison opens the edit page; meanwhile Bjuv is added to the agreement. Saving the
    stale form (which still shows Hässleholm only) would take Bjuv off again: it is refused
    and the form shows the agreement as it is now."""
    h, b = world.ids["hassleholm"], world.ids["bjuv"]
    deal = make_agreement(db, world, municipalities=("hassleholm",), enrol=())
    db.commit()
    login(client, world.emails["liaison"])
    url = f"/sponsorship/agreements/{deal.id}/edit"
    stale = _shown_revision(client, url)
    membership.set_municipalities(db, deal, [h, b])
    db.commit()

    changes = {"name": "Nytt namn", "municipality_ids": [h], "revision": stale}
    if step == "preview":
        changes |= {"amount": "2000", "terms_from": "2026-06-01"}
    refused = client.post(url, data=_form(world, **changes))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Avtalet har ändrats av någon annan sedan du öppnade sidan" in page
    assert _covered(db, deal) == sorted([h, b])
    assert db.get_one(SponsorAgreement, deal.id).name == "Trygghetsvandring"
    assert _versions(db, deal) == [(date(2026, 1, 1), 150_000)]
    # The page now shows Bjuv covered and the current name, with the current revision.
    checked = re.findall(r'<input checked[^>]*name="municipality_ids"[^>]*value="(\d+)"', page)
    assert sorted(map(int, checked)) == sorted([h, b])
    assert 'value="Trygghetsvandring"' in page
    assert _shown_revision(client, url) != stale
    again = _edit(client, url, world, name="Nytt namn", municipality_ids=[h, b])
    assert again.status_code == 302
    db.rollback()
    assert db.get_one(SponsorAgreement, deal.id).name == "Nytt namn"


@pytest.mark.parametrize("revision", [None, "", "x", "-1", "99999999999999999999", "²", "1_0"])
def test_a_form_without_a_readable_revision_changes_nothing(client, db, world, revision):
    deal = make_agreement(db, world, enrol=())
    db.commit()
    login(client, world.emails["liaison"])
    url = f"/sponsorship/agreements/{deal.id}/edit"
    data = _form(world, name="Nytt namn")
    if revision is not None:
        data["revision"] = revision
    refused = client.post(url, data=data)
    assert refused.status_code == 409
    db.rollback()
    assert db.get_one(SponsorAgreement, deal.id).name == "Trygghetsvandring"
