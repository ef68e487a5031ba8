"""Share Jinja's compiled templates across the apps that the tests create.

Every test builds its own app, and with it a Jinja environment that compiles each template it
renders again (lexing, parsing, generating and compiling Python): about 7 % of the in-process
tests' time. Jinja's bytecode cache keeps the compiled code by template name and checks it
against a hash of the source, so a changed template is compiled afresh. Every test app has the
same Jinja settings (one ``create_app``), so the code of one serves all. Rendering is
untouched: each app still loads its own templates from that code.
"""

from __future__ import annotations

from types import CodeType

from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates in this process's memory."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self._code.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self._code[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        self._code.clear()


def install() -> None:
    """Give every Flask app made from now on the one cache (Flask passes ``jinja_options`` to
    its environment)."""
    if "bytecode_cache" not in Flask.jinja_options:
        Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedBytecodeCache()}
