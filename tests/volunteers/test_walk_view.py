"""What a volunteer sees of a walk: first names, tel: links and map links (pure)."""

from __future__ import annotations

import pytest

from nattvandring.volunteers.walk_view import (
    MAP_ZOOM,
    first_name,
    map_links,
    tel_uri,
    walk_details,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Anna Berg", "Anna"),
        ("Anna-Karin  Lind Berg", "Anna-Karin"),
        ("  Åsa ", "Åsa"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_first_name(name, expected):
    assert first_name(name) == expected


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+46701234567", "tel:+46701234567"),
        ("46701234567", "tel:+46701234567"),
        ("", None),
        (None, None),
        ("+4670 123", None),
        ("javascript:alert(1)", None),
    ],
)
def test_tel_uri(e164, expected):
    assert tel_uri(e164) == expected


def test_map_links_by_coordinates():
    links = map_links(56.1589, 13.7668, "Fritidsgården")
    assert links is not None
    assert links.geo == "geo:56.1589,13.7668"
    assert links.osm == (
        f"https://www.openstreetmap.org/?mlat=56.1589&mlon=13.7668#map={MAP_ZOOM}/56.1589/13.7668"
    )


def test_map_links_round_and_keep_signs():
    links = map_links(-33.123456789, -70.5, "")
    assert links is not None and links.geo == "geo:-33.123457,-70.5"


@pytest.mark.parametrize(("lat", "lon"), [(95.0, 13.0), (56.0, 181.0), (None, 13.0), (56.0, None)])
def test_map_links_without_valid_coordinates_search_the_place(lat, lon):
    links = map_links(lat, lon, "Stora torget & stationen")
    assert links is not None and links.geo is None
    assert links.osm == (
        "https://www.openstreetmap.org/search?query=Stora%20torget%20%26%20stationen"
    )


def test_no_map_link_without_coordinates_or_place():
    assert map_links(None, None, "  ") is None


def test_walk_details_show_only_first_names_of_others():
    details = walk_details(
        leader_name="Karin Lindqvist",
        leader_phone="+46701234567",
        fellow_names=["Anna Berg", "Bo Ek", ""],
        latitude=56.0,
        longitude=13.0,
        meeting_point="Stationen",
        equipment_note="  Västar på fritidsgården.\n",
    )
    assert details.fellows == ("Anna", "Bo")
    assert details.leader_tel == "tel:+46701234567"
    assert details.equipment_note == "Västar på fritidsgården."
    assert details.maps is not None and details.maps.geo == "geo:56,13"
