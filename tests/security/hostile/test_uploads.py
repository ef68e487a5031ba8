"""Hostile uploads: the member CSV import only ever previews (nothing is stored before the
confirm step), whatever the bytes: invalid UTF-8, binary, too large, too many rows."""

from __future__ import annotations

from io import BytesIO

from hypothesis import given
from hypothesis import strategies as st

from nattvandring.volunteers.forms import ImportForm
from tests.security.hostile.harness import Target
from tests.security.hostile.recording import Watch, listening
from tests.security.hostile.values import FUZZ
from tests.security.hostile.world import Fuzzer, base_world, db_fingerprint

UPLOAD = Target(
    "member_import_upload",
    "volunteers.import_upload",
    "leader_a",
    lambda w: f"/members/{w.ids['assoc_a']}/import",
    lambda w: {},
    forms=(ImportForm,),
)
TARGETS = [UPLOAD]

BAD_FILES = [
    b"\xff\xfe\x00\x00garbage\x80\x81",
    b"namn;mobil\n" + b"A" * 1_500_000,
    b"namn;mobil\n" + b"x;070\n" * 3000,
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "namn;mobil;e-post;födelseår\n<script>alert(1)</script>;070-1\x00;a@b;2026-02-30\n".encode(),
    "namn;mobil\n=cmd|' /C calc'!A0;+46701234567\n".encode("utf-16"),
    "namn;mobil;födelseår\nNy Medlem;070-765 43 21;99999999999999999999\n".encode(),
    b"",
]


def test_hostile_csv_uploads_are_refused_or_previewed(fuzz_app):
    fuzzer = Fuzzer(fuzz_app, base_world)
    client = fuzzer.client(UPLOAD.actor)
    url = UPLOAD.url(fuzzer.world)
    watch = Watch()
    seen: set[int] = set()

    @FUZZ
    @given(content=st.one_of(st.sampled_from(BAD_FILES), st.binary(max_size=4000)))
    def run(content):
        with listening(watch):
            response = client.post(
                url,
                data={"file": (BytesIO(content), "medlemmar.csv")},
                content_type="multipart/form-data",
            )
        assert response.status_code in (200, 413, 422), response.status_code
        seen.add(response.status_code)
        if response.status_code == 422:
            assert 'class="error-text"' in response.get_data(as_text=True)
        assert db_fingerprint(fuzz_app) == fuzzer.clean

    run()
    assert {200, 422} <= seen, seen
    assert set(UPLOAD.forms) <= watch.forms
    assert watch.keys <= {"file"}, watch.keys
