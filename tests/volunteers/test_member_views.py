"""Member pages: list, add, edit, remove, personal link, CSV import (roles and tenants)."""

from __future__ import annotations

import io

from sqlmodel import select

from nattvandring.accounts.models import AccessToken, Membership, Role, TokenPurpose, User
from nattvandring.audit.models import AuditEntry
from tests.factories import login
from tests.support.database import written_elsewhere_after_first_read


def members_of(db, association_id):
    db.commit()
    return set(
        db.exec(
            select(User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.association_id == association_id, Membership.role == Role.VOLUNTEER)
        ).all()
    )


def test_member_list_roles_and_tenants(client, world):
    login(client, world.emails["leader_a"])
    html = client.get(f"/members/{world.ids['assoc_a']}/").get_data(as_text=True)
    assert "Vol A" in html and "Vol A2" in html and "Vol B" not in html
    client.post("/logout")
    login(client, world.emails["coord_h"])
    assert client.get(f"/members/{world.ids['assoc_a']}/").status_code == 403
    client.post("/logout")
    for key in ("leader_b", "leader_c"):
        login(client, world.emails[key])
        assert client.get(f"/members/{world.ids['assoc_a']}/").status_code == 404
        assert (
            client.post(
                f"/members/{world.ids['assoc_a']}/new", data={"name": "X", "phone": "0701234567"}
            ).status_code
            == 404
        )
        client.post("/logout")


def test_add_member_normalizes_phone(client, world, db):
    login(client, world.emails["leader_a"])
    response = client.post(
        f"/members/{world.ids['assoc_a']}/new",
        data={
            "name": "Greta Ny",
            "phone": "070-765 43 21",
            "email": "Greta@Example.org",
            "birth_year": "1977",
        },
    )
    assert response.status_code == 302
    user = db.exec(select(User).where(User.name == "Greta Ny")).one()
    assert (user.phone_e164, user.email, user.birth_year, user.password_hash) == (
        "+46707654321",
        "greta@example.org",
        1977,
        None,
    )
    assert "Greta Ny" in members_of(db, world.ids["assoc_a"])
    assert (
        db.exec(select(AuditEntry).where(AuditEntry.action == "member.added")).one().object_id
        == user.id
    )


def test_a_known_mobile_number_asks_the_person_and_shows_nothing_of_them(client, world, db):
    """Found: the flash named the person, the member page showed their birth year and link."""
    vol_b = db.get(User, world.ids["vol_b"])
    vol_b.birth_year = 1961
    national = "0" + vol_b.phone_e164[3:]
    db.commit()
    login(client, world.emails["leader_a"])
    response = client.post(
        f"/members/{world.ids['assoc_a']}/new",
        data={"name": "Annat Namn", "phone": national, "birth_year": "2000"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Annat Namn får en fråga om att gå med" in html
    assert "Vol B" not in html and "1961" not in html and "/me/" not in html
    assert "Vol B" not in members_of(db, world.ids["assoc_a"])
    member_page = client.get(f"/members/{world.ids['assoc_a']}/{vol_b.id}")
    assert member_page.status_code == 404
    db.refresh(vol_b)
    assert vol_b.name == "Vol B" and vol_b.birth_year == 1961
    assert len(db.exec(select(User).where(User.phone_e164 == vol_b.phone_e164)).all()) == 1
    again = client.post(
        f"/members/{world.ids['assoc_a']}/new", data={"name": "Vol B", "phone": national}
    )
    assert again.status_code == 422 and "redan fått en fråga" in again.get_data(as_text=True)
    member = client.post(
        f"/members/{world.ids['assoc_a']}/new",
        data={"name": "X", "phone": "0" + db.get(User, world.ids["vol_a"]).phone_e164[3:]},
    )
    text = member.get_data(as_text=True)
    assert member.status_code == 422 and "redan medlem" in text and "Vol A" not in text


def test_bad_phone_is_shown_at_the_field(client, world, db):
    login(client, world.emails["leader_a"])
    response = client.post(
        f"/members/{world.ids['assoc_a']}/new", data={"name": "Fel", "phone": "12345"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="phone-error"' in html and "Ogiltigt mobilnummer" in html
    assert db.exec(select(User).where(User.name == "Fel")).first() is None


def test_the_member_page_makes_the_first_personal_link_while_the_worker_writes(
    app, client, db, world
):
    """Its first view stores the person's link: it must wait for the write lock, not fail."""
    login(client, world.emails["leader_a"])
    with written_elsewhere_after_first_read(app):
        page = client.get(f"/members/{world.ids['assoc_a']}/{world.ids['vol_a']}")
    assert page.status_code == 200
    assert "http://localhost/me/" in page.get_data(as_text=True)
    stored = db.exec(select(AccessToken).where(AccessToken.user_id == world.ids["vol_a"])).all()
    assert [token.purpose for token in stored] == [TokenPurpose.PERSONAL_PAGE]


def test_member_page_edit_and_wrong_member(client, world, db):
    login(client, world.emails["leader_a"])
    url = f"/members/{world.ids['assoc_a']}/{world.ids['vol_a']}"
    html = client.get(url).get_data(as_text=True)
    assert "http://localhost/me/" in html
    assert client.get(f"/members/{world.ids['assoc_a']}/{world.ids['vol_b']}").status_code == 404
    assert (
        client.post(
            url + "/edit",
            data={"name": "Vol A Ändrad", "phone": "0709998877", "birth_year": "1981"},
        ).status_code
        == 302
    )
    user = db.get(User, world.ids["vol_a"])
    assert (user.name, user.phone_e164, user.birth_year) == ("Vol A Ändrad", "+46709998877", 1981)
    taken = db.get(User, world.ids["vol_a2"]).phone_e164
    db.commit()
    clash = client.post(url + "/edit", data={"name": "X", "phone": taken})
    assert clash.status_code == 422 and "annan person" in clash.get_data(as_text=True)


def test_leader_cannot_change_contact_details_of_an_account_holder(client, world, db):
    """A person with a login changes their own number and e-mail."""
    from nattvandring.accounts.services import grant

    grant(
        db, db.get(User, world.ids["leader_b"]), Role.VOLUNTEER, association_id=world.ids["assoc_a"]
    )
    db.commit()
    login(client, world.emails["leader_a"])
    url = f"/members/{world.ids['assoc_a']}/{world.ids['leader_b']}/edit"
    response = client.post(
        url, data={"name": "Leader B", "phone": "0701112233", "email": "evil@example.org"}
    )
    assert response.status_code == 422 and "ändrar själv" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, world.ids["leader_b"]).email == world.emails["leader_b"]


def test_member_pages_wrong_tenant(client, world):
    url = f"/members/{world.ids['assoc_a']}/{world.ids['vol_a']}"
    for key in ("leader_b", "leader_c"):
        login(client, world.emails[key])
        assert client.get(url).status_code == 404
        assert client.get(url + "/edit").status_code == 404
        assert client.post(url + "/remove").status_code == 404
        assert client.post(url + "/rotate-link").status_code == 404
        client.post("/logout")
    login(client, world.emails["coord_h"])
    assert client.get(url).status_code == 403
    assert client.post(url + "/remove").status_code == 403


def test_remove_member(client, world, db):
    login(client, world.emails["leader_a"])
    assert (
        client.post(f"/members/{world.ids['assoc_a']}/{world.ids['vol_a']}/remove").status_code
        == 302
    )
    assert "Vol A" not in members_of(db, world.ids["assoc_a"])
    assert (
        db.get(User, world.ids["vol_a"]) is not None
    )  # the person stays; only the membership ends


def test_leader_rotates_personal_link(client, world, db):
    login(client, world.emails["leader_a"])
    url = f"/members/{world.ids['assoc_a']}/{world.ids['vol_a']}"
    old = client.get(url).get_data(as_text=True).split("http://localhost/me/")[1].split('"')[0]
    assert client.get(f"/me/{old}").status_code == 200
    assert client.post(url + "/rotate-link").status_code == 302
    new = client.get(url).get_data(as_text=True).split("http://localhost/me/")[1].split('"')[0]
    assert new != old
    assert client.get(f"/me/{old}").status_code == 404
    assert client.get(f"/me/{new}").status_code == 200
    assert all(t.nonce is not None for t in db.exec(select(AccessToken)).all())


# --- CSV import through the pages -------------------------------------------------------------


def upload(client, association_id, content: bytes):
    return client.post(
        f"/members/{association_id}/import",
        data={"file": (io.BytesIO(content), "medlemmar.csv")},
        content_type="multipart/form-data",
    )


def payload_of(html: str) -> str:
    return html.split('name="payload" type="hidden" value="')[1].split('"')[0]


def test_import_preview_writes_nothing_until_confirmed(client, world, db):
    login(client, world.emails["leader_a"])
    content = (
        "\ufeffNamn;Mobil;E-post;Födelseår\n"
        "Åsa Öberg;070-123 45 67;;1975\n"
        "Åsa Dubblett;0701234567;;1975\n"
        "Bo;123;;1970\n"
    )
    preview = upload(client, world.ids["assoc_a"], content.encode("utf-8"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Åsa Öberg" in html and "Dubblett" in html and "Ogiltigt mobilnummer" in html
    assert "Inget är sparat än." in html
    # One of each, in the singular (ngettext): "1 rad med fel", never "1 rader med fel".
    assert "1 ny medlem ·" in html and "1 dubblett i filen" in html and "1 rad med fel" in html
    assert "0 redan medlemmar eller tillfrågade" in html
    assert "Åsa Öberg" not in members_of(db, world.ids["assoc_a"])
    confirm = client.post(
        f"/members/{world.ids['assoc_a']}/import/confirm", data={"payload": payload_of(html)}
    )
    assert confirm.status_code == 302
    names = members_of(db, world.ids["assoc_a"])
    assert "Åsa Öberg" in names and "Åsa Dubblett" not in names and "Bo" not in names


def test_import_preview_counts_one_existing_member_in_the_singular(client, world, db):
    from nattvandring.accounts.models import User
    from nattvandring.formatting import national_phone

    login(client, world.emails["leader_a"])
    phone = db.get(User, world.ids["vol_a"]).phone_e164
    content = f"Namn;Mobil\nVol A;{national_phone(phone)}\n".encode()
    html = upload(client, world.ids["assoc_a"], content).get_data(as_text=True)
    assert "1 redan medlem eller tillfrågad" in html
    assert "1 redan medlemmar" not in html


def test_import_cp1252_through_the_page(client, world, db):
    login(client, world.emails["leader_a"])
    content = "Namn,Mobil,Födelseår\nÖrjan Ågren,0736667788,1966\n".encode("cp1252")
    html = upload(client, world.ids["assoc_a"], content).get_data(as_text=True)
    assert "Örjan Ågren" in html
    client.post(
        f"/members/{world.ids['assoc_a']}/import/confirm", data={"payload": payload_of(html)}
    )
    assert "Örjan Ågren" in members_of(db, world.ids["assoc_a"])


def test_import_refuses_a_tampered_payload_and_bad_files(client, world, db):
    login(client, world.emails["leader_a"])
    html = upload(client, world.ids["assoc_a"], b"Namn;Mobil\nNy;0701231231\n").get_data(
        as_text=True
    )
    tampered = client.post(
        f"/members/{world.ids['assoc_a']}/import/confirm",
        data={"payload": payload_of(html)[:-3] + "abc"},
    )
    assert tampered.status_code == 422 and "Inget importerades" in tampered.get_data(as_text=True)
    assert "Ny" not in members_of(db, world.ids["assoc_a"])
    bad = upload(client, world.ids["assoc_a"], b"Namn;Mobil\n\x81\x8d;0701231231\n")
    assert bad.status_code == 422 and "kunde inte läsas" in bad.get_data(as_text=True)
    missing = client.post(
        f"/members/{world.ids['assoc_a']}/import", data={}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and "Välj en CSV-fil" in missing.get_data(as_text=True)


def test_import_refuses_overlong_fields_and_nul_bytes_per_row(client, world, db):
    login(client, world.emails["leader_a"])
    before = members_of(db, world.ids["assoc_a"])
    content = (
        "Namn;Mobil\nBritt;0701231234\n"
        + "B" * 131_073  # over the csv module's own limit: was a 500
        + ";0701231232\nAn\x00na;0701231233\n"
        + "C" * 301
        + ";0701231235\n"
    )
    preview = upload(client, world.ids["assoc_a"], content.encode())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, preview.status_code
    assert html.count("för långt") == 2 and "NUL" in html
    assert "B" * 301 not in html and "C" * 301 not in html and "\x00" not in html
    client.post(
        f"/members/{world.ids['assoc_a']}/import/confirm", data={"payload": payload_of(html)}
    )
    assert members_of(db, world.ids["assoc_a"]) == before | {"Britt"}
    refused = ["+46701231232", "+46701231233", "+46701231235"]
    assert db.exec(select(User).where(User.phone_e164.in_(refused))).all() == []


def test_import_payload_for_another_association_is_refused(client, world, db):
    from nattvandring.accounts.services import grant

    grant(db, db.get(User, world.ids["leader_a"]), Role.LEADER, association_id=world.ids["assoc_b"])
    db.commit()
    login(client, world.emails["leader_a"])
    html = upload(client, world.ids["assoc_a"], b"Namn;Mobil\nNy;0701231231\n").get_data(
        as_text=True
    )
    other = client.post(
        f"/members/{world.ids['assoc_b']}/import/confirm", data={"payload": payload_of(html)}
    )
    assert other.status_code == 422
    assert "Ny" not in members_of(db, world.ids["assoc_b"])


def test_import_roles_and_tenants(client, world):
    login(client, world.emails["coord_h"])
    assert client.get(f"/members/{world.ids['assoc_a']}/import").status_code == 403
    client.post("/logout")
    login(client, world.emails["leader_b"])
    assert client.get(f"/members/{world.ids['assoc_a']}/import").status_code == 404
    assert upload(client, world.ids["assoc_a"], b"Namn;Mobil\nNy;0701231231\n").status_code == 404
    assert (
        client.post(
            f"/members/{world.ids['assoc_a']}/import/confirm", data={"payload": "x"}
        ).status_code
        == 404
    )


def test_import_preview_warns_about_a_member_too_young_to_walk(client, world, db, frozen):
    login(client, world.emails["leader_a"])
    content = "Namn;Mobil;Födelseår\nUnga Ung;070-321 45 67;2010\n"
    html = upload(client, world.ids["assoc_a"], content.encode("utf-8")).get_data(as_text=True)
    assert "1 medlem är för ung för att gå pass i år." in html
    assert "Fyller 16 i år: för ung för att gå pass (minst 18 år)." in html
    assert "Importera 1 medlem" in html  # still importable
