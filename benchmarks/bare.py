"""The stack's limit: a bare Flask "hello" served by the same gunicorn settings as the app.

``gunicorn -c config/gunicorn.conf.py benchmarks.bare:app`` (the positional app replaces the
config's ``wsgi_app``; workers, threads, worker class and keep-alive stay the same).
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
