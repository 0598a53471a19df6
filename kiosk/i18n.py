"""Translations of the terminal's own texts (service texts live in the service definitions).

Message ids are the English texts; each other language has a gettext catalogue under
config/locale/<lang>/LC_MESSAGES/kiosk.po, read with Babel at start so translators can use
their usual tools and no compile step is needed.
"""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po

from kiosk.config import REPO_ROOT

LOCALE_DIR = REPO_ROOT / "config" / "locale"
SOURCE_LANGUAGE = "en"

# Each language's name in that language, so a citizen finds their own.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang == SOURCE_LANGUAGE:
        return {}
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "kiosk.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


def tr(lang: str, message: str, **values: object) -> str:
    """The message in `lang`, falling back to English when a translation is missing."""
    text = catalogue(lang).get(message, message)
    return text.format(**values) if values else text
