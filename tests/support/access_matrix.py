"""The access matrix: who may call each endpoint, and with which answer.

Read by tests/security/test_access_matrix.py (which checks every entry against the app) and by
the hostile-input tests. Rule syntax: space-separated ``actors=outcome`` groups; ``*`` is
everyone not named. An outcome is an HTTP status or ``login`` (302 to the login page).
"""

from __future__ import annotations


def _for_association(ok: str) -> str:
    """Objects of association A that only its leader acts on (its coordinator: wrong role)."""
    return f"leader_a,admin={ok} coord_h=403 leader_b,coord_b,liaison,liaison2=404 anon=login"


def _seen_by_coordinator(ok: str) -> str:
    """Objects of association A that its leader and Hässleholm's coordinator both act on."""
    return f"leader_a,coord_h,admin={ok} leader_b,coord_b,liaison,liaison2=404 anon=login"


def _coordinator_acts(ok: str) -> str:
    """Objects of association A on which only Hässleholm's coordinator acts (review, approve)."""
    return f"coord_h,admin={ok} leader_a=403 leader_b,coord_b,liaison,liaison2=404 anon=login"


def _municipality(ok: str) -> str:
    """Planning objects of Hässleholm: its coordinator; other roles are refused by role first."""
    return f"coord_h,admin={ok} coord_b=404 leader_a,leader_b,liaison,liaison2=403 anon=login"


def _run(ok: str) -> str:
    """The payout run of the agreement covering Hässleholm (coordinator and its liaison)."""
    return f"coord_h,liaison,admin={ok} leader_a,leader_b,coord_b,liaison2=404 anon=login"


def _agreement_admin(ok: str) -> str:
    """Agreement maintenance: Hässleholm's coordinator; the liaison sees but may not change."""
    return f"coord_h,admin={ok} liaison=403 leader_a,leader_b,coord_b,liaison2=404 anon=login"


def _roles(ok: str, allowed: str, other: str = "403") -> str:
    """Pages without one object: the listed roles, everyone else ``other``."""
    return f"{allowed}={ok} anon=login *={other}"


def _everyone(ok: str) -> str:
    return f"*={ok}"


#: Personal-link routes: ids belong to vol_a (assoc_a); vol_c's own link must not reach them.
def _link(ok: str) -> str:
    return f"link_a={ok} link_c=404 anon=404"


def _own_link(ok: str) -> str:
    """Routes acting only on the link holder's own data: any valid link, a forged one 404."""
    return f"link_a,link_c={ok} anon=404"


LEADER_LANDING = "leader_a,leader_b=302 admin=200 anon=login *=403"


EXPECTED: dict[str, str] = {
    "web.index": _everyone("200"),
    "web.set_language": _everyone("302"),
    "accounts.login GET": "anon=200 *=302",
    "accounts.login POST": "anon=200 *=302",  # empty form: errors; logged in: to the start page
    "accounts.logout": "*=login",
    "accounts.change_password GET": "anon=login *=200",
    "accounts.change_password POST": "anon=login *=422",
    "accounts.reset_request GET": _everyone("200"),
    "accounts.reset_request POST": _everyone("422"),
    # Live reset and invitation tokens: the token is the credential.
    "accounts.reset_password GET": _everyone("200"),
    "accounts.reset_password POST": _everyone("422"),
    "accounts.accept_invitation GET": _everyone("200"),
    "accounts.accept_invitation POST": _everyone("422"),
    # The invited account has no number: there is no code to send (the same answer).
    "accounts.invitation_code": _everyone("302"),
    # A live link proving a new e-mail address: the link is the credential.
    "accounts.confirm_email GET": _everyone("200"),
    "accounts.confirm_email POST": _everyone("302"),
    # An application whose address is proven by the link: its code, sent to its number.
    "associations.register_confirm GET": _everyone("200"),
    "associations.register_confirm POST": _everyone("422"),
    "associations.register_code": _everyone("302"),
    "associations.register GET": _everyone("200"),
    "associations.register POST": _everyone("422"),
    "associations.coordinator_list": _roles("200", "coord_h,coord_b,admin"),
    "associations.my_associations": "leader_a,leader_b=302 anon=login *=403",
    "associations.detail": _seen_by_coordinator("200"),
    "associations.change_status": _coordinator_acts("400"),  # no status given
    "associations.edit GET": _for_association("200"),
    "associations.edit POST": _for_association("302"),
    "booking.start": LEADER_LANDING,
    "booking.ours_start": LEADER_LANDING,
    "booking.calendar": _for_association("200"),
    "booking.shift_detail": _for_association("200"),
    "booking.book": _for_association("302"),
    "booking.join_reserve": _for_association("422"),
    "booking.withdraw_reserve": _for_association("422"),
    "booking.ours": _for_association("200"),
    "booking.roster": _seen_by_coordinator("200"),
    "booking.roster_add": _for_association("422"),
    "booking.roster_remove": _for_association("302"),
    # "Vi behöver en till": vol_a2 can walk and is asked.
    "booking.roster_call": _for_association("302"),
    "booking.cancel GET": _seen_by_coordinator("200"),
    # The leader may cancel without a reason; a coordinator (or admin) must give one.
    "booking.cancel POST": "leader_a=302 coord_h,admin=422 leader_b,coord_b,liaison,liaison2=404 "
    "anon=login",
    # A refused check (outside its window) also answers with the page and a message.
    "checkins.personal_check_in": _link("302"),
    "checkins.personal_check_out": _link("302"),
    "checkins.group_check_in": _for_association("302"),
    "checkins.walker_check_in": _for_association("302"),
    "checkins.walker_check_out": _for_association("302"),
    "checkins.out_now": _roles("200", "coord_h,coord_b,admin"),
    "checkins.save_nudges": "coord_h,admin=302 anon=login *=404",
    "calendars.municipality_feed": _everyone("200"),
    "calendars.area_feed": _everyone("200"),
    "calendars.walk_ics": _everyone("200"),
    "calendars.personal_feed": _everyone("200"),  # a live feed token is the credential
    "calendars.association_feed": _everyone("200"),
    "calendars.rotate_personal": _own_link("302"),
    "calendars.personal_qr": _own_link("200"),
    "calendars.association_calendar": _for_association("200"),
    "calendars.rotate_association": _for_association("302"),
    "calendars.sent_email": _roles("200", "admin"),
    "messaging.outbox": _roles("200", "coord_h,coord_b,admin"),
    "messaging.retry": "admin=302 leader_a,coord_h=403 leader_b,coord_b,liaison,liaison2=404 "
    "anon=login",
    "messaging.association_messages": _seen_by_coordinator("200"),
    "messaging.my_association_messages": "leader_a,leader_b=302 anon=login *=403",
    "messaging.twilio_status": _everyone("403"),  # unsigned
    "messaging.twilio_inbound": _everyone("403"),
    "municipalities.admin_list GET": _roles("200", "admin"),
    "municipalities.admin_list POST": _roles("422", "admin"),
    "municipalities.detail": "coord_h,admin=200 anon=login *=404",
    "municipalities.invite_coordinator": "admin=302 coord_h=403 anon=login *=404",
    "ops.healthz": _everyone("200"),
    "ops.readyz": _everyone("503"),  # no worker heartbeat in the test world
    "ops.workers": _roles("200", "admin"),
    "planning.areas": _municipality("200"),
    "planning.area_new GET": _municipality("200"),
    "planning.area_new POST": _municipality("422"),
    "planning.area_edit GET": _municipality("200"),
    "planning.area_edit POST": _municipality("422"),
    "planning.area_set_active": _municipality("302"),
    "planning.calendar": _municipality("200"),
    "planning.coverage": _municipality("200"),
    "planning.audit": _municipality("200"),
    "planning.rules GET": _municipality("200"),
    "planning.rules POST": _municipality("422"),
    "planning.public": _everyone("200"),
    # Open data: public, read-only, for anyone (tests/security/test_public_routes.py checks
    # that they show nothing private).
    "opendata.municipalities": _everyone("200"),
    "opendata.nights": _everyone("200"),
    "opendata.openapi_description": _everyone("200"),
    "opendata.widget": _everyone("200"),
    "planning.series_new GET": _municipality("200"),
    "planning.series_new POST": _municipality("422"),
    "planning.special_night_add": _municipality("422"),
    "planning.special_nights": _municipality("200"),
    "planning.school_breaks_save": _municipality("302"),
    "planning.shift_edit GET": _municipality("200"),
    "planning.shift_edit POST": _municipality("422"),
    "planning.shift_cancel": _municipality("422"),
    "planning.series_list": _municipality("200"),
    "rounds.rounds GET": _municipality("200"),
    "rounds.rounds POST": _municipality("422"),
    # A round is seen by Hässleholm's coordinator and the leaders of its associations.
    "rounds.detail": "leader_a,leader_b,coord_h,admin=200 coord_b,liaison,liaison2=404 anon=login",
    # Before the deadline the draw is refused with a message on the round's page.
    "rounds.draw": "coord_h,admin=303 leader_a,leader_b=403 coord_b,liaison,liaison2=404 "
    "anon=login",
    "rounds.leader_rounds": _for_association("200"),
    "rounds.wishes GET": _for_association("200"),
    "rounds.wishes POST": _for_association("302"),
    "planning.series_detail": _municipality("200"),
    "planning.series_times": _municipality("422"),
    "planning.series_cancel": _municipality("200"),
    "planning.index": "coord_h,coord_b=302 admin=200 anon=login *=403",
    "planning.coverage_index": "coord_h,coord_b=302 admin=200 anon=login *=403",
    "planning.areas_index": "coord_h,coord_b=302 admin=200 anon=login *=403",
    "reports.index": "liaison,liaison2=403 anon=login *=200",
    # Checked inline in the view: a coordinator of the same municipality also gets 404 here.
    "reports.start": "leader_a,admin=302 anon=login *=404",
    # The report-due SMS link: the leader gets the report (here: not started, a page with the
    # button), the municipality's coordinator the report list; nobody else learns of it.
    "reports.for_booking": "leader_a,admin=200 coord_h=302 leader_b,coord_b,liaison,liaison2=404 "
    "anon=login",
    # "Påminn": the walk in the matrix world lies ahead, so there is nothing overdue (409).
    "reports.remind": _coordinator_acts("409"),
    "reports.edit GET": _for_association("302"),  # submitted: editing redirects to the report
    "reports.edit POST": _for_association("409"),
    "reports.detail": _seen_by_coordinator("200"),
    "reports.approve_report": _coordinator_acts("302"),
    "reports.return_to_group": _coordinator_acts("422"),
    "reports.correct": _coordinator_acts("422"),
    "reports.hours": "liaison,liaison2=403 anon=login *=200",
    "volunteers.personal_report": _link("200"),
    "volunteers.personal_export": _own_link("200"),
    "volunteers.personal_erase GET": _own_link("200"),
    "volunteers.personal_erase POST": _own_link("422"),
    "reports.situation": _roles("200", "coord_h,coord_b,admin"),
    "reports.situation_csv": _roles("200", "coord_h,coord_b,admin"),
    "reports.situation_xlsx": _roles("200", "coord_h,coord_b,admin"),
    "reports.situation_pdf": _roles("200", "coord_h,coord_b,admin"),
    "reports.place_status": "coord_h,admin=302 anon=login *=404",
    "sponsorship.dashboard": _roles("200", "liaison,liaison2,admin"),
    "sponsorship.summary_export": _roles("200", "liaison,liaison2,admin"),
    "sponsorship.statement": _roles("200", "leader_a,leader_b,admin"),
    # The run is a draft: no statement yet, even for its own association.
    "sponsorship.statement_pdf_download": "leader_a,leader_b,admin=404 anon=login *=403",
    "sponsorship.payouts": "leader_a,leader_b=403 anon=login *=200",
    "sponsorship.run_create": _run("422"),
    "sponsorship.run": _run("200"),
    "sponsorship.run_recompute": _run("302"),
    "sponsorship.run_approve_confirm": _run("200"),
    "sponsorship.run_approve": _run("422"),  # an empty form: not what the page showed
    "sponsorship.run_delete": _run("302"),
    "sponsorship.run_paid": _run("422"),
    "sponsorship.run_export": _run("200"),
    "sponsorship.sponsors GET": _roles("200", "admin"),
    "sponsorship.sponsors POST": _roles("422", "admin"),
    "sponsorship.sponsor": _roles("200", "admin"),
    "sponsorship.invite_liaison": _roles("302", "admin"),
    "sponsorship.agreement_list": "leader_a,leader_b=403 anon=login *=200",
    "sponsorship.agreement_new GET": _roles("200", "coord_h,coord_b,admin"),
    "sponsorship.agreement_new POST": _roles("422", "coord_h,coord_b,admin"),
    # The liaison changes the sponsor's terms too (a coordinator: the terms of their agreement
    # of one municipality, and their own coverage).
    "sponsorship.agreement_edit GET": _run("200"),
    "sponsorship.agreement_edit POST": _run("422"),
    "sponsorship.agreement": _run("200"),
    "sponsorship.enrol": _agreement_admin("422"),
    "sponsorship.withdraw": _agreement_admin("302"),
    "volunteers.start": LEADER_LANDING,
    "volunteers.members": _for_association("200"),
    "volunteers.add GET": _for_association("200"),
    "volunteers.add POST": _for_association("422"),
    "volunteers.member": _for_association("200"),
    "volunteers.edit GET": _for_association("200"),
    "volunteers.edit POST": _for_association("422"),
    "volunteers.remove": _for_association("302"),
    "volunteers.rotate_link": _for_association("302"),
    "volunteers.import_upload GET": _for_association("200"),
    "volunteers.import_upload POST": _for_association("422"),
    "volunteers.import_confirm": _for_association("422"),
    "volunteers.request_remove": _for_association("302"),
    "volunteers.personal": _own_link("200"),
    "volunteers.confirm": _link("302"),
    "volunteers.decline": _link("302"),
    "volunteers.signup": _link("302"),
    "volunteers.rotate": _own_link("302"),
    # Association B's question to vol_a: only vol_a's link answers it.
    "volunteers.question_accept": _link("302"),
    "volunteers.question_decline": _link("302"),
    "volunteers.contact_page": _own_link("200"),
    "volunteers.contact_phone": _own_link("422"),
    "volunteers.contact_phone_code": _own_link("422"),
    "volunteers.contact_email": _own_link("422"),
}


def spec_for(endpoint: str, method: str) -> str | None:
    """The matrix rule of ``endpoint`` for ``method`` (a method's own entry first)."""
    return EXPECTED.get(f"{endpoint} {method}") or EXPECTED.get(endpoint)
