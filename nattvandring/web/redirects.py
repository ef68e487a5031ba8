"""Where a form may send the browser back to: only a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

# Browsers drop tabs and newlines from a URL, trim control characters and spaces, and read a
# backslash as a slash, so "/\t/evil.example" and "/\\evil.example" would leave the site.
_REFUSED = {chr(code) for code in range(0x21)} | {"\x7f", "\\"}

#: The longest return path taken, in UTF-8 bytes (percent-encoded in the Location header, at
#: most three times as long). Ours are short; a longer one would only be copied into the
#: header, and proxies refuse responses whose headers outgrow their 4-8 kB buffers.
MAX_PATH_BYTES = 512


def local_path(value: str | None, default: str) -> str:
    """``value`` when it is a same-site path such as "/reports?x=1", else ``default``."""
    if not value or len(value.encode("utf-8", "replace")) > MAX_PATH_BYTES:
        return default
    if not value.startswith("/") or value.startswith("//"):
        return default
    if any(char in _REFUSED for char in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
