"""What a volunteer sees of one upcoming walk: pure functions over plain values.

Personal data minimisation: of the other walkers only first names are shown; the one phone
number on the page is the association's contact person (the leader), as a ``tel:`` link.
The meeting point gets a ``geo:`` URI (opens the phone's map app) and an OpenStreetMap link;
no map tiles are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

#: OpenStreetMap zoom for a meeting point: a few streets around it.
MAP_ZOOM = 17


@dataclass(frozen=True)
class MapLinks:
    geo: str | None  # geo:lat,lon (RFC 5870), None without coordinates
    osm: str  # an OpenStreetMap link: the point, or a search for the place's text


@dataclass(frozen=True)
class WalkDetails:
    leader_name: str
    leader_phone: str  # E.164 or ""
    leader_tel: str | None  # tel: URI or None
    fellows: tuple[str, ...]  # first names of the other walkers
    maps: MapLinks | None
    equipment_note: str


def first_name(name: str) -> str:
    """The first word of a name ("Anna-Karin Berg" → "Anna-Karin"); "" for no name."""
    parts = (name or "").split()
    return parts[0] if parts else ""


def tel_uri(e164: str | None) -> str | None:
    """``tel:+46701234567`` for a stored E.164 number; None if there is none usable."""
    if not e164:
        return None
    digits = e164[1:] if e164.startswith("+") else e164
    if not digits.isdigit():
        return None
    return f"tel:+{digits}"


def _coordinate(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def map_links(latitude: float | None, longitude: float | None, place: str) -> MapLinks | None:
    """Links to the meeting point: by coordinates when the area has valid ones, otherwise an
    OpenStreetMap search for the place's text; None when there is neither."""
    valid = (
        latitude is not None
        and longitude is not None
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )
    if valid:
        lat, lon = _coordinate(latitude), _coordinate(longitude)  # type: ignore[arg-type]
        return MapLinks(
            geo=f"geo:{lat},{lon}",
            osm=(
                f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={MAP_ZOOM}/{lat}/{lon}"
            ),
        )
    text = (place or "").strip()
    if not text:
        return None
    return MapLinks(
        geo=None, osm=f"https://www.openstreetmap.org/search?query={quote(text, safe='')}"
    )


def walk_details(
    *,
    leader_name: str,
    leader_phone: str,
    fellow_names: list[str],
    latitude: float | None,
    longitude: float | None,
    meeting_point: str,
    equipment_note: str,
) -> WalkDetails:
    names = tuple(name for name in (first_name(n) for n in fellow_names) if name)
    return WalkDetails(
        leader_name=leader_name,
        leader_phone=leader_phone,
        leader_tel=tel_uri(leader_phone),
        fellows=names,
        maps=map_links(latitude, longitude, meeting_point),
        equipment_note=equipment_note.strip(),
    )
