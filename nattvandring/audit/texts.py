"""Audit entries as sentences in the reader's language.

An entry stores its kind (``action``), its object and short ``details`` written by the
service that acted: ``key=value`` fields ("shift=182; user=7"), fixed phrases ("new person")
and counts in fixed Swedish wording ("skapade 3, hoppade över 1"). ``sentence`` renders the
kind and its fields through a translated template; ``details_text`` translates the fields
and phrases it knows and leaves what people typed (names, reasons) as they wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import LazyString

from ..i18n import _l

#: Kind → sentence. Placeholders: ``id`` (the entry's object), and any ``key=value`` field
#: of its details (``shift``, ``user``, ``walker``, ``delta``, ``role``, ``via``…).
SENTENCES: dict[str, LazyString] = {
    "area.created": _l("Skapade vandringsområde #%(id)s"),
    "area.edited": _l("Ändrade vandringsområde #%(id)s"),
    "area.activated": _l("Aktiverade vandringsområde #%(id)s"),
    "area.deactivated": _l("Inaktiverade vandringsområde #%(id)s"),
    "association.registered": _l("Förening #%(id)s registrerade sig"),
    "association.approved": _l("Godkände förening #%(id)s"),
    "association.pending": _l("Satte förening #%(id)s som väntande"),
    "association.suspended": _l("Stängde av förening #%(id)s"),
    "association.profile_updated": _l("Ändrade uppgifterna för förening #%(id)s"),
    "booking.created": _l("Bokade pass #%(shift)s"),
    "booking.cancelled": _l("Avbokade pass #%(shift)s"),
    "booking.cancelled_by_coordinator": _l("Samordnaren avbokade en förening från pass #%(shift)s"),
    "invitation.accepted": _l("Person #%(id)s tog emot en inbjudan"),
    "member.added": _l("Lade till person #%(id)s som medlem"),
    "member.asked": _l("Frågade en person om medlemskap (fråga #%(id)s)"),
    "member.joined": _l("Person #%(id)s blev medlem"),
    "member.declined": _l("En person tackade nej till medlemskap (fråga #%(id)s)"),
    "member.request_removed": _l("Drog tillbaka frågan om medlemskap #%(id)s"),
    "member.updated": _l("Ändrade uppgifterna för person #%(id)s"),
    "member.removed": _l("Tog bort person #%(id)s ur föreningen"),
    "member.link_rotated": _l("Gav person #%(id)s en ny personlig länk"),
    "municipality.created": _l("Skapade kommunen"),
    "municipality.rules_changed": _l("Ändrade bokningsreglerna"),
    "municipality.nudges_changed": _l("Ändrade påminnelserna till ledare under vandringen"),
    "person.phone_changed": _l("Person #%(id)s bytte mobilnummer"),
    "person.email_changed": _l("Person #%(id)s bytte e-postadress"),
    "report.approve": _l("Godkände rapport #%(id)s"),
    "report.return": _l("Skickade tillbaka rapport #%(id)s för komplettering"),
    "report.correct": _l("Rättade tiden för vandrare #%(walker)s i rapport #%(id)s"),
    "reserve.offered": _l("Erbjöd pass #%(shift)s till nästa förening på reservlistan"),
    "reserve.offer_expired": _l("Erbjudandet om pass #%(shift)s gick ut"),
    "reserve.joined": _l("En förening ställde sig på reservlistan för pass #%(shift)s"),
    "reserve.withdrawn": _l("En förening lämnade reservlistan för pass #%(shift)s"),
    "roster.added": _l("Lade till person #%(user)s i gruppen för pass #%(shift)s"),
    "roster.self_signup": _l("Person #%(user)s anmälde sig till pass #%(shift)s"),
    "roster.removed": _l("Tog bort person #%(user)s från gruppen för pass #%(shift)s"),
    "roster.confirmed": _l("En vandrare bekräftade pass #%(shift)s"),
    "roster.declined": _l("En vandrare tackade nej till pass #%(shift)s"),
    "roster.call_opened": _l(
        "Bad %(asked)s medlemmar om en vandrare till för pass #%(shift)s (Vi behöver en till)"
    ),
    "roster.removed_on_erasure": _l("Tog bort en raderad person från pass #%(id)s"),
    "round.opened": _l("Öppnade bokningsomgång #%(id)s"),
    "round.wishes": _l("En förening lämnade önskemål i bokningsomgång #%(id)s"),
    "round.drawn": _l("Lottade bokningsomgång #%(id)s"),
    "series.created": _l("Skapade serie #%(id)s"),
    "series.edited": _l("Ändrade tiderna i serie #%(id)s"),
    "series.cancelled": _l("Ställde in serie #%(id)s"),
    "shift.edited": _l("Ändrade pass #%(id)s"),
    "shift.cancelled": _l("Ställde in pass #%(id)s"),
    "special_night.added": _l("Lade till en särskild kväll"),
    "school_breaks.saved": _l("Sparade kommunens skollov (veckonummer)"),
}
UNKNOWN = _l("Händelse av okänt slag")

_FIELD = re.compile(r"^([a-z_]+)=(.*)$", re.S)
_NEXT_FIELD = re.compile(r"\s(?=[a-z_]+=)")
#: Fields whose value the sentence already says, so the details column leaves them out.
_IN_SENTENCE = {"shift", "user", "walker", "asked"}

#: Fixed phrases the services write, as whole parts of the details.
PHRASES: dict[str, LazyString] = {
    "new person": _l("ny person"),
    "the leader themself": _l("ledaren själv"),
    "proven by a code to the new number": _l("bekräftat med en kod till det nya numret"),
    "proven by a link to the new address": _l("bekräftat med en länk till den nya adressen"),
    "accepted by sms": _l("svarade ja per sms"),
    "accepted by page": _l("svarade ja på sin sida"),
    "declined by sms": _l("svarade nej per sms"),
    "declined by page": _l("svarade nej på sin sida"),
    "inga ändringar": _l("inga ändringar"),
    "anteckning": _l("anteckning"),
    "plats ändrad": _l("plats ändrad"),
}

#: Counted phrases in the services' fixed Swedish wording.
PATTERNS: list[tuple[re.Pattern[str], LazyString]] = [
    (
        re.compile(r"^skapade (?P<n>\d+), hoppade över (?P<m>\d+)$"),
        _l("%(n)s skapade, %(m)s fanns redan"),
    ),
    (re.compile(r"^nya tider (?P<times>\S+)$"), _l("nya tider %(times)s")),
    (
        re.compile(r"^ändrade pass (?P<n>\d+), varav bokade (?P<m>\d+)$"),
        _l("%(n)s pass ändrade, varav %(m)s bokade"),
    ),
    (
        re.compile(r"^inställda pass (?P<n>\d+), varav bokade (?P<m>\d+)$"),
        _l("%(n)s pass inställda, varav %(m)s bokade"),
    ),
    (re.compile(r"^pass (?P<n>\d+)$"), _l("%(n)s pass")),
    (re.compile(r"^sista dag (?P<day>\S+)$"), _l("sista dag %(day)s")),
    (re.compile(r"^önskemål (?P<n>\d+)$"), _l("%(n)s önskemål")),
    (re.compile(r"^frö (?P<seed>\S+)$"), _l("frö %(seed)s")),
    (re.compile(r"^föreningar (?P<n>\d+)$"), _l("%(n)s föreningar")),
    (re.compile(r"^val (?P<n>\d+)$"), _l("%(n)s val")),
    (re.compile(r"^leader account: (?P<outcome>\S+)$"), _l("ledarkonto: %(outcome)s")),
    (re.compile(r"^walker=(?P<walker>\d+) delta=(?P<delta>-?\d+)$"), _l("%(delta)s minuter")),
    (re.compile(r"^område (?P<old>\d+) → (?P<new>\d+) \((?P<name>.*)\)$"), _l("område → %(name)s")),
    (
        re.compile(r"^(?P<text>.*) \(avbokade bokningar: (?P<n>\d+)\)$", re.S),
        _l("%(text)s (%(n)s bokningar avbokade)"),
    ),
]

#: Changed settings ("name: old → new"), labelled as on their forms.
SETTINGS: dict[str, LazyString] = {
    "max_associations_per_shift": _l("Antal föreningar per pass"),
    "monthly_booking_cap": _l("Högst antal bokningar per förening och månad"),
    "cancel_deadline_hours": _l("Avbokningsgräns för föreningar (timmar före start)"),
    "report_due_days": _l("Dagar att lämna rapport efter passet"),
    "allow_reserve_list": _l("Föreningar får ställa sig på reservlista"),
    "reserve_offer_hours": _l("Timmar som ett erbjudande från reservlistan gäller"),
    "min_walkers": _l("Minsta antal nattvandrare"),
    "max_walkers": _l("Högsta antal nattvandrare"),
    "min_age": _l("Åldersgräns (år)"),
    "nudge_not_started": _l("SMS till ledaren när ingen har checkat in 20 minuter efter starten"),
    "nudge_still_out": _l("SMS till ledaren när någon är incheckad två timmar efter passets slut"),
}
_SETTING = re.compile(r"^(?P<name>[a-z_]+):? (?P<old>\S+) → (?P<new>\S+)$")
_VALUES: dict[str, LazyString] = {"True": _l("ja"), "False": _l("nej"), "None": _l("inget")}

_FIELD_LABELS: dict[str, LazyString] = {
    "reason": _l("skäl: %(value)s"),
    "role": _l("roll: %(value)s"),
}


def _parts(details: str) -> list[str]:
    return [part.strip() for part in details.split(";") if part.strip()]


def fields(details: str) -> dict[str, str]:
    """The ``key=value`` fields of an entry's details ("walker=3 delta=-60" holds two)."""
    found: dict[str, str] = {}
    for part in _parts(details):
        for piece in _NEXT_FIELD.split(part):
            match = _FIELD.match(piece)
            if match:
                found[match[1]] = match[2]
    return found


def sentence(action: str, object_id: int | None, details: str = "") -> str:
    """What happened, as a sentence in the reader's language."""
    template = SENTENCES.get(action)
    if template is None:
        return str(UNKNOWN)
    params: dict[str, Any] = {"shift": "?", "user": "?", "walker": "?", "asked": "?"}
    params.update(fields(details))
    params["id"] = object_id if object_id is not None else "?"
    return str(template) % params


def _translate_part(part: str, translate_value: Callable[[str], str]) -> str | None:
    phrase = PHRASES.get(part)
    if phrase is not None:
        return str(phrase)
    for pattern, template in PATTERNS:
        match = pattern.match(part)
        if match:
            return str(template) % match.groupdict()
    match = _SETTING.match(part)
    if match and match["name"] in SETTINGS:
        old, new = (str(_VALUES.get(v, v)) for v in (match["old"], match["new"]))
        return f"{SETTINGS[match['name']]}: {old} → {new}"
    match = _FIELD.match(part)
    if match:
        key, value = match[1], match[2]
        if key in _IN_SENTENCE:
            return None
        label = _FIELD_LABELS.get(key)
        return str(label) % {"value": translate_value(value)} if label else part
    return part


def details_text(details: str) -> str:
    """The entry's details: known fields and phrases translated, typed text as written."""
    shown = []
    for part in _parts(details):
        text = _translate_part(part, lambda value: str(PHRASES.get(value, value)))
        if text:
            shown.append(text)
    return "; ".join(shown)
