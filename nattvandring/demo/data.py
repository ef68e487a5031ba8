"""The demo's fixed facts. Phone numbers are from PTS's range reserved for fiction."""

from __future__ import annotations

from datetime import time

DOMAIN = "demo.nattvandring.se"

# (name, areas: (name, meeting point, latitude, longitude, start, end))
MUNICIPALITIES = (
    (
        "Hässleholm",
        (
            ("Centrum", "Kulturhuset, Frykholmsgatan 2", 56.1589, 13.7668, time(21), time(1)),
            ("Resecentrum", "Hässleholm C, huvudentrén", 56.1562, 13.7641, time(21), time(1)),
            ("Ljungdala", "Ljungdala centrum, fritidsgården", 56.1701, 13.7795, time(20), time(0)),
        ),
    ),
    (
        "Bjuv",
        (
            ("Bjuv centrum", "Bjuvs bibliotek, Storgatan", 56.0849, 12.9196, time(21), time(1)),
            ("Billesholm", "Billesholms station", 56.0535, 12.9932, time(20), time(0)),
        ),
    ),
    (
        "Hörby",
        (
            ("Hörby centrum", "Torget, Hörby", 55.8535, 13.6611, time(21), time(1)),
            ("Ringsjöbadet", "Parkeringen vid badet", 55.8738, 13.5614, time(20), time(23)),
        ),
    ),
)

# (municipality, association, contact person)
ASSOCIATIONS = (
    ("Hässleholm", "IFK Hässleholm", "Karin Lindqvist"),
    ("Hässleholm", "Hässleholms Scoutkår", "Anders Nyberg"),
    ("Hässleholm", "Föräldraföreningen Ljungdala", "Fatima Hassan"),
    ("Hässleholm", "Hässleholm Basket", "Johan Ek"),
    ("Bjuv", "Bjuvs IF", "Maria Sandberg"),
    ("Bjuv", "Ekeby Scoutkår", "Erik Holm"),
    ("Bjuv", "Föräldrarådet Billesholm", "Leyla Demir"),
    ("Hörby", "Hörby FF", "Peter Åkesson"),
    ("Hörby", "Hörby Ridklubb", "Sofia Berg"),
    ("Hörby", "Hörby Brottarklubb", "Mikael Persson"),
)

VOLUNTEER_FIRST = (
    "Anna",
    "Lars",
    "Eva",
    "Mats",
    "Lena",
    "Ali",
    "Sara",
    "Nils",
    "Ida",
    "Omar",
    "Emma",
    "Per",
    "Linnea",
    "Jonas",
    "Hanna",
    "Ahmed",
    "Maja",
    "Oskar",
    "Elin",
    "Viktor",
)
VOLUNTEER_LAST = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
)
VOLUNTEERS_PER_ASSOCIATION = 6
# 070-174 06 05 ... 070-174 06 99 are reserved for fiction by PTS.
FICTION_PHONE_START = 605
FICTION_PHONE_END = 699

SPONSOR = ("Länsförsäkringar Göinge-Kristianstad", "5164064858")
