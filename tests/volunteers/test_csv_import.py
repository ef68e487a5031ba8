"""CSV member import: encodings, separators, headers, per-row errors and duplicates."""

from __future__ import annotations

import pytest
from sqlmodel import select

from nattvandring.accounts.models import Membership, Role, User
from nattvandring.errors import RuleViolation
from nattvandring.volunteers import csv_import
from nattvandring.volunteers.models import MembershipRequest

SECRET = "test-secret-key-that-is-long-enough-000"


def parse(db, world, content: bytes):
    return csv_import.parse(db, content, association_id=world.ids["assoc_a"])


def test_semicolon_utf8_with_bom_and_swedish_headers(world, db):
    content = "\ufeffNamn;Mobil;E-post;Födelseår\nÅsa Öberg;070-123 45 67;asa@example.org;1975\n"
    preview = parse(db, world, content.encode("utf-8"))
    (row,) = preview.rows
    assert row.status == "new"
    assert row.clean.name == "Åsa Öberg" and row.clean.phone_e164 == "+46701234567"
    assert row.clean.email == "asa@example.org" and row.clean.birth_year == 1975


def test_comma_english_headers_without_bom(world, db):
    content = b"Name,Mobile phone,Email,Birth year\nLars Nilsson,+46 70 222 33 44,,1980\n"
    (row,) = parse(db, world, content).rows
    assert (row.status, row.clean.phone_e164, row.clean.email) == ("new", "+46702223344", None)


def test_windows_1252_with_swedish_letters(world, db):
    content = "Förnamn;Efternamn;Telefon;Födelsedatum\nÄrla;Sjöström;0703334455;1969-05-04\n"
    (row,) = parse(db, world, content.encode("cp1252")).rows
    assert row.clean.name == "Ärla Sjöström" and row.clean.birth_year == 1969


def test_invalid_bytes_are_refused_gracefully(world, db, ctx):
    with pytest.raises(RuleViolation) as excinfo:
        parse(db, world, b"Namn;Mobil\n\x81\x8d\x8f;0701234567\n")
    assert excinfo.value.code == "file_encoding"
    assert "kunde inte läsas" in str(excinfo.value)


def test_missing_columns_and_size_limits(world, db):
    with pytest.raises(RuleViolation) as excinfo:
        parse(db, world, b"Namn;Adress\nA;B\n")
    assert excinfo.value.code == "no_phone_column"
    with pytest.raises(RuleViolation) as excinfo:
        parse(db, world, b"x" * (csv_import.MAX_BYTES + 1))
    assert excinfo.value.code == "file_too_large"
    many = "Namn;Mobil\n" + "".join(f"P{i};0701{i:06d}\n" for i in range(csv_import.MAX_ROWS + 1))
    with pytest.raises(RuleViolation) as excinfo:
        parse(db, world, many.encode())
    assert excinfo.value.code == "too_many_rows"


def test_bad_rows_and_duplicates_are_marked(world, db, ctx):
    known = db.get(User, world.ids["vol_a"])
    other = db.get(User, world.ids["vol_b"])
    content = (
        "namn;mobil;epost;födelseår\n"
        "Anna;070-111 11 11;;1980\n"
        "Anna igen;0701111111;;1980\n"  # same number as line 2
        "Bertil;12345;;1980\n"  # bad phone
        "Cecilia;08-123 456 78;;1980\n"  # landline
        "Dag;0702222222;;17\n"  # bad birth year
        ";0703333333;;1980\n"  # no name
        f"Vol A;{known.phone_e164};;1980\n"  # already a member here
        f"Bea;{other.phone_e164};;1980\n"  # Vol B, member elsewhere: asked to join
        f"Ny Adress;0709999999;{world.emails['leader_b']};1980\n"  # someone's e-mail: asked
        f"Samma;0708888888;{world.emails['leader_b']};1980\n"  # that person again
    )
    preview = parse(db, world, content.encode())
    statuses = [(r.line, r.status) for r in preview.rows]
    assert statuses == [
        (2, "new"), (3, "duplicate"), (4, "error"), (5, "error"), (6, "error"),
        (7, "error"), (8, "member"), (9, "ask"), (10, "ask"), (11, "duplicate"),
    ]  # fmt: skip
    messages = {r.line: r.message for r in preview.rows}
    assert "rad 2" in messages[3]
    assert "Ogiltigt mobilnummer" in messages[4]
    assert "inte ett mobilnummer" in messages[5]
    assert "födelseår" in messages[6].lower()
    assert "Ange namn" in messages[7]
    assert "rad 10" in messages[11]
    assert [r.line for r in preview.valid] == [2, 9, 10]
    # The preview shows what the file says, nothing the leader did not type.
    shown = " ".join(f"{r.name} {r.message}" for r in preview.rows)
    assert "Vol B" not in shown and "Leader B" not in shown


def test_signed_rows_round_trip_and_refuse_tampering(world, db, ctx):
    preview = parse(db, world, b"Namn;Mobil\nAnna;0701111111\n")
    signed = csv_import.sign_rows(SECRET, world.ids["assoc_a"], preview)
    (row,) = csv_import.unsign_rows(SECRET, world.ids["assoc_a"], signed)
    assert (row.name, row.phone) == ("Anna", "+46701111111")
    for bad in (signed[:-2] + "xx", ""):
        with pytest.raises(RuleViolation):
            csv_import.unsign_rows(SECRET, world.ids["assoc_a"], bad)
    with pytest.raises(RuleViolation):  # signed for another association
        csv_import.unsign_rows(SECRET, world.ids["assoc_b"], signed)


def test_import_rows_is_all_or_nothing(app, world, db, ctx):
    rows = [
        csv_import.MemberInput(name="Ny Person", phone="0704444444"),
        csv_import.MemberInput(name="Fel", phone="0812345678"),  # a landline, refused again
    ]
    with pytest.raises(RuleViolation) as excinfo:
        csv_import.import_rows(
            db, association_id=world.ids["assoc_a"], municipality_id=None, rows=rows, actor_id=None
        )
    assert "Rad 2" in str(excinfo.value)
    db.rollback()
    assert db.exec(select(User).where(User.phone_e164 == "+46704444444")).first() is None


def test_import_rows_adds_memberships_once_and_asks_known_people(app, world, db, ctx):
    vol_b = db.get(User, world.ids["vol_b"]).phone_e164
    rows = [
        csv_import.MemberInput(name="Ny Person", phone="0704444444", birth_year=1970),
        csv_import.MemberInput(name="Bea Typad", phone=vol_b, birth_year=2001),
        csv_import.MemberInput(name="Vol A", phone=db.get(User, world.ids["vol_a"]).phone_e164),
        csv_import.MemberInput(name="Bea igen", phone=vol_b),
    ]
    added, asked, skipped = csv_import.import_rows(
        db, association_id=world.ids["assoc_a"], municipality_id=None, rows=rows, actor_id=None
    )
    assert (added, asked, skipped) == (1, 1, 2)
    members = db.exec(
        select(Membership.user_id).where(
            Membership.association_id == world.ids["assoc_a"], Membership.role == Role.VOLUNTEER
        )
    ).all()
    assert world.ids["vol_b"] not in members and len(members) == 3
    (request,) = db.exec(select(MembershipRequest)).all()
    assert (request.user_id, request.name, request.birth_year) == (
        world.ids["vol_b"],
        "Bea Typad",
        2001,
    )
    vol_b_row = db.get(User, world.ids["vol_b"])
    assert (vol_b_row.name, vol_b_row.birth_year) == ("Vol B", 1980)  # the person is unchanged


def test_a_field_over_the_csv_modules_limit_is_an_error_of_its_row_only(world, db, ctx):
    # Python's csv module raises for a field over 131 072 characters (it was a 500, then the
    # whole file was refused).
    content = "Namn;Mobil\nAnna;0701231231\n" + "B" * 131_073 + ";0701231232\n"
    first, second = parse(db, world, content.encode()).rows
    assert first.status == "new"
    assert second.status == "error" and "för långt" in second.message
    assert second.name == "B" * csv_import.MAX_FIELD_CHARS


@pytest.mark.parametrize(
    "content",
    [
        b"Namn;Mobil\nAnna;0701231230\nAn\x00na;0701231231\n",  # UTF-8 (it used to pass)
        "Namn;Mobil\nAnna;0701231230\nÅsa\x00;0701231231\n".encode("cp1252"),
        b"Namn;Mobil\nAnna;0701231230\nAnna;070\x001231231\n",
    ],
    ids=["utf-8", "cp1252", "in the number"],
)
def test_a_nul_byte_is_an_error_of_its_row_only(world, db, ctx, content):
    first, second = parse(db, world, content).rows
    assert first.status == "new"
    assert second.status == "error" and "NUL" in second.message
    assert second.clean is None
    assert "\x00" not in second.name + second.phone  # shown as U+FFFD, never stored


@pytest.mark.parametrize(
    "content",
    [
        "Namn;Mobil\nAnna;0701231231\n".encode("utf-16-le"),  # ASCII that decodes as UTF-8
        "Namn;Mobil\nAnna;0701231231\n".encode("utf-16"),
        b"Na\x00mn;Mobil\nAnna;0701231231\n",  # no column can be read from the header
    ],
    ids=["utf-16 without BOM", "utf-16", "in the header"],
)
def test_a_utf16_file_or_a_nul_in_the_header_refuses_the_file(world, db, ctx, content):
    with pytest.raises(RuleViolation) as excinfo:
        parse(db, world, content)
    assert excinfo.value.code == "file_encoding"


def test_an_overlong_cell_is_an_error_of_its_row_only(world, db, ctx):
    long_name = "C" * (csv_import.MAX_FIELD_CHARS + 1)
    content = f"Namn;Mobil;Anteckning\nAnna;0701231231;{'x' * 5000}\n{long_name};0701231232;\n"
    first, second = parse(db, world, content.encode()).rows
    assert first.status == "new"  # a long cell in a column we do not read does not matter
    assert second.status == "error" and "för långt" in second.message
    assert second.name == long_name[: csv_import.MAX_FIELD_CHARS]


# --- feedback in the preview ------------------------------------------------------------------


def test_an_empty_phone_says_it_is_missing(world, db, ctx):
    preview = parse(db, world, "namn;mobil;födelseår\nUtan Nummer;;1980\n".encode())
    (row,) = preview.rows
    assert row.status == "error"
    assert row.message == "Mobilnummer saknas. Skriv ett svenskt mobilnummer."
    assert "Ogiltigt mobilnummer:" not in row.message


def test_a_member_too_young_to_walk_is_importable_with_a_warning(world, db, ctx):
    from nattvandring import clock
    from tests.support.booking import NOW

    clock.freeze(NOW)  # 2026; Hässleholm's areas ask for 18
    content = "namn;mobil;födelseår\nUnga Ung;0701231231;2010\nVuxen;0701231232;2008\n"
    preview = parse(db, world, content.encode())
    young, adult = preview.rows
    assert young.status == "new" and adult.status == "new"
    assert young.warning == (
        "Fyller 16 i år: för ung för att gå pass (minst 18 år). Kan gå från 2028."
    )
    assert adult.warning == "" and preview.warned == 1
    assert [r.line for r in preview.valid] == [2, 3]


def test_the_warning_follows_the_municipalitys_lowest_age(world, db, ctx):
    from nattvandring.planning.models import PatrolArea
    from nattvandring.volunteers.csv_preview import age_warning, lowest_min_age

    area = db.get(PatrolArea, world.ids["area_h"])
    area.min_age = 20
    db.flush()
    assert lowest_min_age(db, world.ids["assoc_a"]) == 20
    assert age_warning(2007, year=2026, min_age=20).startswith("Fyller 19 i år")
    assert age_warning(None, year=2026, min_age=20) == ""
    assert age_warning(2010, year=2026, min_age=0) == ""


def test_a_quote_left_open_is_named_in_its_row(world, db, ctx):
    rows = "".join(f"Person {n};07012300{n:02d}\n" for n in range(10, 99))
    content = 'Namn;Mobil\nAnna;0701231231\n"Berit;0701231232\n' + rows + "x" * 300_000
    first, second = parse(db, world, content.encode()).rows
    assert first.status == "new"
    assert second.status == "error" and "citattecken som inte avslutas" in second.message


def test_a_quote_left_open_in_a_short_file_is_named_too(world, db, ctx):
    content = 'Namn;Mobil\nAnna;"0701231231\nCarl;0701231232\nDora;0701231233\n'
    (only,) = parse(db, world, content.encode()).rows
    assert only.status == "error" and "citattecken som inte avslutas" in only.message
