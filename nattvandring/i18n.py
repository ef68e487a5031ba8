"""Translation helpers.

Message ids are the Swedish texts (Swedish is the default UI language); the English catalog in
``nattvandring/translations/en`` translates them. Modules import ``_`` for strings rendered in a
request and ``_l`` for strings defined at import time or in pure functions.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

__all__ = ["_", "_l", "ngettext"]
