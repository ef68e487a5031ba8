"""Member import from a club's CSV export: decode, detect columns, validate, preview.

Accepted: semicolon or comma separated; UTF-8 with or without BOM, or Windows-1252 (UTF-8 is
tried first). Header names are matched case-insensitively in Swedish or English. Nothing is
written here: ``parse`` returns a preview, and the rows the leader confirms travel to the
next request signed with the app's SECRET_KEY (``sign_rows``/``unsign_rows``), so a tampered
or stale form is refused and every row is validated again when written.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, col, select

from ..accounts.models import Membership, Role, User
from ..errors import RuleViolation
from ..i18n import _l
from ..tokens import SigningKeys
from .csv_preview import Preview, PreviewRow, warn_about_age
from .services import MemberInput, clean

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
#: The longest cell read from a column we use (a name is at most 120 characters, an e-mail
#: address 254); a longer one is refused for its row and not shown in full in the preview.
MAX_FIELD_CHARS = 300
SIGNED_MAX_AGE = 3600
_SALT = "member-import-v1"

# The csv module refuses a field over 131 072 characters by raising for the whole file. A
# file is at most MAX_BYTES, so with this limit no field can reach it: a long field becomes
# its own row's error (MAX_FIELD_CHARS) instead. The limit is process-wide; raising it only
# lets other readers take longer fields.
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES + 1))

HEADERS = {
    "name": {"name", "namn", "full name", "fullstandigt namn", "for- och efternamn", "medlem"},
    "first": {"first name", "firstname", "fornamn", "tilltalsnamn", "given name"},
    "last": {"last name", "lastname", "efternamn", "surname", "family name"},
    "phone": {
        "mobile", "mobil", "mobilnummer", "mobiltelefon", "mobile phone", "mobile number",
        "telefon", "telefonnummer", "phone", "phone number", "tel", "tel mobil",
        "telefon mobil", "cell", "cellphone",
    },
    "email": {"email", "e-mail", "e-post", "epost", "mail", "e-postadress", "epostadress",
              "email address", "e-mail address", "mejl"},
    "birth_year": {"birth year", "birthyear", "year of birth", "fodelsear", "fodd", "arsklass",
                   "fodelsedatum", "date of birth", "birth date", "birthdate"},
}  # fmt: skip


def _fold(text: str) -> str:
    """Header key: lower case, accents removed (födelseår -> fodelsear), spaces squeezed."""
    plain = unicodedata.normalize("NFKD", text.strip().strip('"').lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[\s_.]+", " ", plain).strip()


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1252; refuse anything else."""
    if len(content) > MAX_BYTES:
        raise RuleViolation("file_too_large", _l("Filen är för stor (högst 1 MB)."), field="file")
    if not content.strip():
        raise RuleViolation("file_empty", _l("Filen är tom."), field="file")
    unreadable = RuleViolation(
        "file_encoding",
        _l("Filen kunde inte läsas. Spara den som CSV (UTF-8) och försök igen."),
        field="file",
    )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise unreadable from exc
    # A UTF-16 file (whose ASCII also decodes as UTF-8) is full of NULs: unreadable. A stray
    # NUL in a UTF-8 or Windows-1252 file is its row's error (``parse``): the database cannot
    # store it.
    header = text.split("\n", 1)[0]
    if "\x00" in header or text.count("\x00") * 8 > len(text):
        raise unreadable
    return text


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _fold(title)
        for column, names in HEADERS.items():
            if key in names and column not in found:
                found[column] = index
    if "name" not in found and not ("first" in found or "last" in found):
        raise RuleViolation(
            "no_name_column",
            _l('Hittade ingen kolumn för namn (t.ex. "Namn" eller "Förnamn").'),
            field="file",
        )
    if "phone" not in found:
        raise RuleViolation(
            "no_phone_column",
            _l('Hittade ingen kolumn för mobilnummer (t.ex. "Mobil" eller "Telefon").'),
            field="file",
        )
    return found


def _birth_year(raw: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    match = re.match(r"^((?:19|20)\d{2})(?:$|[-/. ]?\d{2}[-/. ]?\d{2}$)", text)
    if not match:
        raise RuleViolation(
            "birth_year_invalid", _l("Ogiltigt födelseår: %(value)s", value=text[:20])
        )
    return int(match.group(1))


def parse(session: Session, content: bytes, *, association_id: int) -> Preview:
    """Validate every row and mark duplicates; writes nothing."""
    text = decode(content)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise RuleViolation("file_empty", _l("Filen är tom."), field="file") from exc
    except csv.Error as exc:
        raise _unreadable_line(1) from exc
    columns = _columns(header)

    def cell(record: list[str], key: str) -> str:
        index = columns.get(key)
        return record[index].strip() if index is not None and index < len(record) else ""

    preview = Preview()
    seen: dict[str, int] = {}
    for line, record in _records(reader):
        if not any(value.strip() for value in record):
            continue
        if len(preview.rows) >= MAX_ROWS:
            raise RuleViolation(
                "too_many_rows",
                _l("Filen har för många rader (högst %(max)s).", max=MAX_ROWS),
                field="file",
            )
        name = cell(record, "name") or " ".join(
            part for part in (cell(record, "first"), cell(record, "last")) if part
        )
        values = (name, cell(record, "phone"), cell(record, "email"), cell(record, "birth_year"))
        shown = [value[:MAX_FIELD_CHARS].replace("\x00", "\ufffd") for value in values]
        row = PreviewRow(line, shown[0], shown[1], shown[2], shown[3], status="error")
        preview.rows.append(row)
        too_long = [value for value in values if len(value) > MAX_FIELD_CHARS]
        if any("\n" in value for value in values):  # a quote left open: later lines in a field
            row.message = str(
                _l(
                    "Raden har ett citattecken som inte avslutas: resten av filen lästes som "
                    "ett fält."
                )
            )
            continue
        if too_long:
            row.message = str(
                _l("Ett fält är för långt (högst %(max)s tecken).", max=MAX_FIELD_CHARS)
            )
            continue
        if any("\x00" in value for value in values):
            row.message = str(_l("Raden har ett tecken som inte kan sparas (NUL)."))
            continue
        try:
            row.clean = clean(
                MemberInput(
                    name=row.name,
                    phone=row.phone,
                    email=row.email,
                    birth_year=_birth_year(row.birth_year),
                )
            )
        except RuleViolation as violation:
            row.message = str(violation.message)
            continue
        phone = row.clean.phone_e164
        if phone in seen:
            row.status = "duplicate"
            row.message = str(_l("Samma mobilnummer som rad %(line)s.", line=seen[phone]))
            continue
        seen[phone] = line
        row.status = "new"
    _mark_known(session, preview, association_id)
    warn_about_age(session, preview, association_id)
    return preview


def _unreadable_line(line: int) -> RuleViolation:
    return RuleViolation(
        "file_unreadable_line",
        _l(
            "Rad %(line)s kunde inte läsas: ett fält är för långt eller har ett citattecken "
            "som inte avslutas.",
            line=line,
        ),
        field="file",
    )


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) per record; a record the csv module cannot read refuses the
    file, naming the line."""
    line = 2
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _unreadable_line(reader.line_num) from exc
        yield line, record
        line += 1


def _mark_known(session: Session, preview: Preview, association_id: int) -> None:
    """Rows whose number (or, for an unknown number, e-mail) belongs to someone: already a
    member here, already asked, or a person who will be asked to join. The preview says
    nothing about who that person is: the leader sees only their own file."""
    from .models import MembershipRequest, RequestStatus

    rows = [r for r in preview.rows if r.status == "new" and r.clean]
    phones = [r.clean.phone_e164 for r in rows if r.clean]
    emails = [r.clean.email for r in rows if r.clean and r.clean.email]
    if not phones:
        return
    by_phone = dict(
        session.exec(select(User.phone_e164, User.id).where(col(User.phone_e164).in_(phones))).all()
    )
    by_email = dict(
        session.exec(select(User.email, User.id).where(col(User.email).in_(emails or [""]))).all()
    )
    known = set(by_phone.values()) | set(by_email.values())
    members = set(
        session.exec(
            select(Membership.user_id).where(
                Membership.association_id == association_id,
                Membership.role == Role.VOLUNTEER,
                col(Membership.user_id).in_(list(known) or [0]),
            )
        ).all()
    )
    asked = dict(
        session.exec(
            select(MembershipRequest.user_id, MembershipRequest.status).where(
                MembershipRequest.association_id == association_id,
                col(MembershipRequest.user_id).in_(list(known) or [0]),
            )
        ).all()
    )
    seen_email: dict[str, int] = {}
    seen_person: dict[int, int] = {}
    for row in rows:
        assert row.clean is not None
        email = row.clean.email
        user_id = by_phone.get(row.clean.phone_e164) or (by_email.get(email) if email else None)
        if user_id is None:
            if email and email in seen_email:
                row.status = "error"
                row.message = str(
                    _l("Samma e-postadress som rad %(line)s.", line=seen_email[email])
                )
            elif email:
                seen_email[email] = row.line
            continue
        if user_id in members:
            row.status = "member"
            row.message = str(_l("Redan medlem."))
        elif user_id in seen_person:
            row.status = "duplicate"
            row.message = str(_l("Samma person som rad %(line)s.", line=seen_person[user_id]))
        elif user_id in asked:
            row.status = "asked"
            row.message = str(
                _l("Har tackat nej.")
                if asked[user_id] == RequestStatus.DECLINED
                else _l("Har redan fått en fråga.")
            )
        else:
            row.status = "ask"
            row.message = str(
                _l("Finns redan hos oss och får en fråga om att gå med i föreningen.")
            )
        seen_person[user_id] = row.line


def _serializer(secret_key: SigningKeys) -> URLSafeTimedSerializer:
    # itsdangerous signs with the last key and accepts any: ours come newest first, so a
    # preview signed before a key rotation can still be confirmed.
    keys = [secret_key] if isinstance(secret_key, str) else list(reversed(secret_key))
    return URLSafeTimedSerializer(keys, salt=_SALT)


def sign_rows(secret_key: SigningKeys, association_id: int, preview: Preview) -> str:
    rows = [
        [r.clean.name, r.clean.phone_e164, r.clean.email or "", r.clean.birth_year]
        for r in preview.valid
        if r.clean is not None
    ]
    return _serializer(secret_key).dumps({"a": association_id, "rows": rows})


def unsign_rows(secret_key: SigningKeys, association_id: int, signed: str) -> list[MemberInput]:
    try:
        data = _serializer(secret_key).loads(signed or "", max_age=SIGNED_MAX_AGE)
    except BadSignature as exc:
        raise RuleViolation(
            "import_expired",
            _l("Förhandsgranskningen har gått ut eller ändrats. Ladda upp filen igen."),
        ) from exc
    if not isinstance(data, dict) or data.get("a") != association_id:
        raise RuleViolation(
            "import_expired",
            _l("Förhandsgranskningen har gått ut eller ändrats. Ladda upp filen igen."),
        )
    rows = data.get("rows") or []
    if len(rows) > MAX_ROWS:
        raise RuleViolation("too_many_rows", _l("För många rader."))
    return [
        MemberInput(name=str(n), phone=str(p), email=str(e or ""), birth_year=y)
        for n, p, e, y in rows
    ]


def import_rows(
    session: Session,
    *,
    association_id: int,
    municipality_id: int | None,
    rows: list[MemberInput],
    actor_id: int | None,
) -> tuple[int, int, int]:
    """Write confirmed rows, all or nothing (the caller rolls back on a RuleViolation).

    Every row is validated again. Returns (added, asked, skipped): new members, people who
    already exist and are asked to join, and people who are members or were asked already
    (also in the meantime), or appear twice.
    """
    from .models import MembershipRequest
    from .services import add_member, find_person, volunteer_membership

    added = asked = skipped = 0
    handled: set[int] = set()
    for number, data in enumerate(rows, start=1):
        try:
            member = clean(data)
            known = find_person(session, member)
            if known is not None and (
                known.id in handled
                or volunteer_membership(session, association_id, known.id)  # type: ignore[arg-type]
                or session.exec(
                    select(MembershipRequest.id).where(
                        MembershipRequest.association_id == association_id,
                        MembershipRequest.user_id == known.id,
                    )
                ).first()
            ):
                skipped += 1
                continue
            result = add_member(
                session,
                association_id=association_id,
                municipality_id=municipality_id,
                data=member,
                actor_id=actor_id,
            )
        except RuleViolation as violation:
            raise RuleViolation(
                violation.code,
                _l(
                    "Rad %(n)s (%(name)s): %(message)s",
                    n=number,
                    name=data.name[:60],
                    message=violation.message,
                ),
            ) from violation
        if result.request is not None:
            asked += 1
            handled.add(result.request.user_id)
        else:
            added += 1
            handled.add(result.user.id)  # type: ignore[union-attr,arg-type]
    return added, asked, skipped
