"""What a view reads: the FlaskForm classes that validate and the request keys looked up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from flask import Request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict


@dataclass
class Watch:
    forms: set[type] = field(default_factory=set)  # FlaskForm classes that validated
    keys: set[str] = field(default_factory=set)  # parameter keys the views looked up


_listening: list[Watch] = []  # the watch of the POST in flight (not of redirects followed)


class RecordingDict(ImmutableMultiDict):
    """Request parameters that note every key looked up (``in``, ``[]``, get, getlist)."""

    def __contains__(self, key: object) -> bool:
        for watch in _listening:
            watch.keys.add(str(key))
        return super().__contains__(key)

    def getlist(self, key, type=None):
        for watch in _listening:
            watch.keys.add(str(key))
        return super().getlist(key, type)


class RecordingRequest(Request):
    parameter_storage_class = RecordingDict


_real_validate = FlaskForm.validate


def _validate(self, *args, **kwargs):
    for watch in _listening:
        watch.forms.add(type(self))
    return _real_validate(self, *args, **kwargs)


@contextmanager
def listening(watch: Watch | None) -> Iterator[None]:
    """Record into ``watch`` the forms validated and the keys read until the block ends."""
    if watch is None:
        yield
        return
    _listening.append(watch)
    try:
        with mock.patch.object(FlaskForm, "validate", _validate):
            yield
    finally:
        _listening.remove(watch)
