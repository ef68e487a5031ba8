"""The one way a response names a file to save: an ``attachment`` header safe for any name."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 5987 UTF-8 ``filename*``."""
    name = filename.replace("/", "-").replace("\\", "-")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._") or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
