"""Role and tenant isolation for associations: other tenants' ids answer 404."""

from __future__ import annotations

from nattvandring.associations.models import Association
from tests.factories import login


def test_coordinator_sees_only_their_municipality(client, world):
    login(client, world.emails["coord_b"])
    listing = client.get("/associations")
    assert "Bjuvs IF" in listing.text
    assert "IFK Hässleholm" not in listing.text
    assert client.get(f"/associations/{world.ids['assoc_a']}").status_code == 404
    assert client.get(f"/associations/{world.ids['assoc_c']}").status_code == 200


def test_coordinator_cannot_change_another_municipalitys_association(client, world, db):
    login(client, world.emails["coord_b"])
    response = client.post(
        f"/associations/{world.ids['assoc_a']}/status", data={"status": "suspended"}
    )
    assert response.status_code == 404
    db.rollback()
    assert db.get(Association, world.ids["assoc_a"]).status == "approved"


def test_coordinator_approves_in_their_own_municipality(client, world, db):
    login(client, world.emails["coord_h"])
    response = client.post(
        f"/associations/{world.ids['assoc_b']}/status", data={"status": "suspended"}
    )
    assert response.status_code == 302
    db.rollback()
    assert db.get(Association, world.ids["assoc_b"]).status == "suspended"


def test_leader_cannot_change_another_association(client, world, db):
    login(client, world.emails["leader_b"])
    assert client.get(f"/associations/{world.ids['assoc_a']}/edit").status_code == 404
    assert client.get(f"/associations/{world.ids['assoc_a']}").status_code == 404
    response = client.post(
        f"/associations/{world.ids['assoc_a']}/edit", data={"name": "Kapad förening"}
    )
    assert response.status_code == 404
    db.rollback()
    assert db.get(Association, world.ids["assoc_a"]).name == "IFK Hässleholm"


def test_leader_cannot_approve_even_their_own_association(client, world):
    login(client, world.emails["leader_a"])
    response = client.post(
        f"/associations/{world.ids['assoc_a']}/status", data={"status": "approved"}
    )
    assert response.status_code == 403


def test_leader_sees_no_coordinator_list(client, world):
    login(client, world.emails["leader_a"])
    assert client.get("/associations").status_code == 403
    assert client.get("/admin/municipalities").status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(f"/associations/{world.ids['assoc_a']}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_admin_sees_everything(client, world):
    login(client, world.emails["admin"])
    listing = client.get("/associations")
    assert "Bjuvs IF" in listing.text and "IFK Hässleholm" in listing.text
    assert client.get(f"/associations/{world.ids['assoc_c']}").status_code == 200


def test_leader_edits_their_profile(client, world, db):
    login(client, world.emails["leader_a"])
    page = client.get(f"/associations/{world.ids['assoc_a']}/edit")
    assert page.status_code == 200
    db.rollback()
    current = db.get(Association, world.ids["assoc_a"])
    response = client.post(
        f"/associations/{world.ids['assoc_a']}/edit",
        data={
            "name": "IFK Hässleholm Fotboll",
            "org_number": current.org_number,
            "account_type": "plusgiro",
            "account_number": "47118",
            "contact_name": "Karin",
            "contact_email": "karin@example.org",
            "contact_phone": "070-174 06 05",
            "allow_self_signup": "y",
        },
    )
    assert response.status_code == 302
    db.rollback()
    saved = db.get(Association, world.ids["assoc_a"])
    assert saved.name == "IFK Hässleholm Fotboll"
    assert saved.account_number == "4711-8"
    assert saved.contact_phone == "+46701740605"
    assert saved.allow_self_signup is True
