"""Explanations of payout lines and agreement terms, in the reader's language.

A line keeps its explanation as data (``PayoutLine.details``, made by ``line_details``) and
as Swedish text (``explanation``, for exports that have always been Swedish). Each text
function takes the translation function as ``_``: ``sv`` (the message ids themselves) when
storing, flask-babel's ``gettext`` when rendering a page, so English readers get English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from ..formatting import decimal_text, format_sek, sv_decimal
from .earnings import (
    LONE,
    WAITING,
    Evening,
    Terms,
    package_split,
    running_total,
    terms_on,
    weekend_standing,
)
from .rules import REASON_LONE_EVENING, REASON_WAITING_FRIDAY, PaymentRule

Translate = Callable[..., str]


def sv(msgid: str, **params: Any) -> str:
    """The Swedish text: message ids are Swedish (the same substitution as gettext)."""
    return msgid % params if params else msgid


def plural_of(_: Translate) -> Callable[..., str]:
    """``ngettext`` in the language of ``_``: Swedish message ids for ``sv``, the catalog
    (flask-babel) otherwise. ``%(num)s`` is the count, as in flask-babel."""
    if _ is sv:

        def swedish(singular: str, plural: str, num: int, **params: Any) -> str:
            return (singular if num == 1 else plural) % {"num": num, **params}

        return swedish
    from flask_babel import ngettext

    return ngettext


def line_details(
    versions: list[Terms],
    kind: str,
    evenings: list[Evening],
    *,
    last_day: date,
    earned_ore: int,
    amount_ore: int,
    cut_by_cap_ore: int,
    cut_by_budget_ore: int,
    earlier_draft: bool = False,
) -> dict[str, Any]:
    """The data behind a line's explanation: per version of the terms (and running total
    within it, such as a year's packages under a cap), what was counted.
    ``earlier_draft``: an earlier run was still a draft, so the adjustment also holds its
    walks (not only late approvals and corrections)."""
    parts: list[dict[str, Any]] = []
    part_of: tuple = ()
    for evening in evenings:
        version = terms_on(versions, evening.day)
        counted_in = (version.valid_from, running_total(versions, evening.day))
        if not parts or counted_in != part_of:
            part_of = counted_in
            parts.append(
                {
                    "from": version.valid_from.isoformat(),
                    "rule": version.rule.to_dict(),
                    "walks": 0,
                    "units": 0,
                    "amount": 0,
                    "lone": 0,
                    "waiting": 0,
                }
            )
        part = parts[-1]
        part["walks"] += evening.walks
        part["units"] += evening.units
        part["amount"] += evening.amount_ore
        part["total_units"] = evening.counted
        standing = weekend_standing(evening, last_day)
        if standing == WAITING:
            part["waiting"] += 1
        elif standing == LONE:
            part["lone"] += 1
    details: dict[str, Any] = {
        "kind": kind,
        "parts": parts,
        "earned": earned_ore,
        "amount": amount_ore,
        "cap_cut": cut_by_cap_ore,
        "budget_cut": cut_by_budget_ore,
    }
    if earlier_draft:
        details["earlier_draft"] = True
    return details


def _part_text(part: dict[str, Any], _: Translate) -> str:
    rule = PaymentRule.from_dict(part["rule"])
    rate = format_sek(rule.amount_ore)
    ngettext = plural_of(_)
    if rule.kind == "per_walk":
        n = part["units"]
        label = ngettext("%(num)s godkänd vandring", "%(num)s godkända vandringar", n)
        return f"{label} × {rate}"
    if rule.kind == "per_hour":
        minutes = part["units"]
        value = Decimal(minutes) / 60
        hours = sv_decimal(value) if _ is sv else decimal_text(value)
        return _("%(hours)s volontärtimmar × %(rate)s", hours=hours, rate=rate)
    if rule.kind == "per_weekend":
        n = part["units"]
        text = ngettext(
            "%(num)s helg (fre+lör) × %(rate)s", "%(num)s helger (fre+lör) × %(rate)s", n, rate=rate
        )
        if part.get("waiting"):
            text += "; " + ngettext(
                "%(num)s fredag räknas med lördagen i nästa utbetalning",
                "%(num)s fredagar räknas med lördagarna i nästa utbetalning",
                part["waiting"],
            )
        if part.get("lone"):
            text += "; " + ngettext(
                "%(num)s kväll utan komplett helg ersätts inte",
                "%(num)s kvällar utan komplett helg ersätts inte",
                part["lone"],
            )
        return text
    total = part.get("total_units", part["units"])
    split = " + ".join(
        _("%(count)s paket om %(size)s", count=count, size=size)
        for size, count in package_split(rule.packages, total)
    )
    return (
        _(
            "%(n)s vandringar i perioden, %(total)s räknade mot paketen (%(split)s)",
            n=part["units"],
            total=total,
            split=split or _("inget helt paket"),
        )
        + " = "
        + format_sek(part["amount"])
    )


def line_text(details: dict[str, Any], _: Translate = sv) -> str:
    """The explanation of a line in the language of ``_``."""
    if not details:
        return ""
    parts = [_part_text(part, _) for part in details.get("parts", [])]
    if details["kind"] == "adjustment":
        text = _("Justering för tidigare perioder")
        if details["earned"] and details.get("earlier_draft"):
            text += ": " + _(
                "intjänat ändrat med %(amount)s (vandringar som ingen godkänd utbetalning "
                "har avräknat: ett tidigare utkast, sent godkända eller rättade rapporter)",
                amount=format_sek(details["earned"]),
            )
        elif details["earned"]:
            text += ": " + _(
                "intjänat ändrat med %(amount)s (sent godkända eller rättade rapporter)",
                amount=format_sek(details["earned"]),
            )
        held = details["amount"] - details["earned"]
        if held > 0:
            text += "; " + _("tidigare innehållet %(amount)s betalas nu", amount=format_sek(held))
    else:
        text = " + ".join(parts) if parts else _("inga godkända vandringar")
    if details.get("cap_cut"):
        text += "; " + _(
            "taket för året nått: %(amount)s hålls inne", amount=format_sek(details["cap_cut"])
        )
    if details.get("budget_cut"):
        text += "; " + _(
            "budgeten räcker inte: %(amount)s kvar att betala",
            amount=format_sek(details["budget_cut"]),
        )
    return text


def describe_terms(terms: Terms, _: Translate = sv) -> str:
    """One line describing a version's rule and conditions."""
    return describe_rule(terms.rule, _)


def describe_rule(rule: PaymentRule, _: Translate = sv) -> str:
    """One line describing a payment rule and its conditions ("1 500 kr per godkänd
    vandring; minst 3 vandrare, 18 år eller äldre")."""
    if rule.kind == "per_package":
        pays = ", ".join(
            _("%(amount)s per %(size)s vandringar", amount=format_sek(a), size=s)
            for s, a in rule.packages
        )
    else:
        unit = {
            "per_walk": _("%(amount)s per godkänd vandring", amount=format_sek(rule.amount_ore)),
            "per_weekend": _(
                "%(amount)s per helg (fredag och lördag)", amount=format_sek(rule.amount_ore)
            ),
            "per_hour": _("%(amount)s per volontärtimme", amount=format_sek(rule.amount_ore)),
        }
        pays = unit[rule.kind]
    conditions = []
    if rule.min_walkers:
        conditions.append(_("minst %(n)s vandrare", n=rule.min_walkers))
    if rule.min_age:
        conditions.append(_("%(n)s år eller äldre", n=rule.min_age))
    return f"{pays}; {', '.join(conditions)}" if conditions else pays


def allocation_label(policy: str, _: Translate = sv) -> str:
    if policy == "pro_rata":
        return _("i proportion till det intjänade")
    return _("efter vandringsdatum, först vandrat först betalt")


_TOO_FEW = re.compile(r"^för få vandrare \((\d+) av (\d+)\)$")


def reason_text(reason: str, _: Translate = sv) -> str:
    """Why a walk is not paid (the rules' Swedish reason), in the language of ``_``;
    an empty reason means the walk counts."""
    if not reason:
        return _("räknas")
    found = _TOO_FEW.match(reason)
    if found:
        return _("för få vandrare (%(n)s av %(needed)s)", n=found[1], needed=found[2])
    known = {
        "utanför avtalsperioden": _("utanför avtalsperioden"),
        "utanför avtalets kommuner": _("utanför avtalets kommuner"),
        "före anslutningsdatum": _("före anslutningsdatum"),
        "föreningen hade lämnat avtalet": _("föreningen hade lämnat avtalet"),
        REASON_LONE_EVENING: _("kväll utan komplett helg"),
        REASON_WAITING_FRIDAY: _("räknas med lördagen i nästa utbetalning"),
    }
    return known.get(reason, reason)
