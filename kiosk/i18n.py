"""Translations: the terminal's own texts and the texts of the services.

Two gettext domains per language under config/locale/<lang>/LC_MESSAGES/, read with Babel at
start, so translators use their usual tools and no compile step is needed:
- kiosk.po: the terminal's texts. Message ids are English (the developers' language).
- services.po: the service definitions' texts. Message ids are the German originals (the
  administration writes its services in German); the context (msgctxt) is the service id.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from kiosk.config import REPO_ROOT

LOCALE_DIR = REPO_ROOT / "config" / "locale"
UI_SOURCE = "en"
SERVICES_SOURCE = "de"
LANGUAGES = ("de", "en", "tr", "ar", "ru", "uk", "pl")
RTL_LANGUAGES = frozenset({"ar"})

# Each language's name in that language, so a citizen finds their own.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "tr": "Türkçe", "ar": "العربية",
                  "ru": "Русский", "uk": "Українська", "pl": "Polski"}


def N_(message: str) -> str:
    """Marks a text for translation where it is defined; it is translated where it is shown."""
    return message


def catalogue_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def catalogue(lang: str, domain: str = "kiosk") -> dict[tuple[str | None, str], str]:
    """Translated messages of one domain, keyed by (context, message id)."""
    path = catalogue_path(lang, domain)
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=lang)
    return {(m.context, str(m.id)): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


def tr(lang: str, message: str, **values: object) -> str:
    """A terminal text in `lang`, falling back to English when a translation is missing."""
    text = message if lang == UI_SOURCE else catalogue(lang).get((None, message), message)
    return text.format(**values) if values else text


def ts(lang: str, service_id: str, text: str) -> str:
    """A service's text in `lang`, falling back to the German original."""
    if lang == SERVICES_SOURCE or not text:
        return text
    return catalogue(lang, "services").get((service_id, text), text)


def translated(lang: str, domain: str, context: str | None, message: str) -> bool:
    """Whether a message has a translation (the UI audit reports the ones that do not)."""
    source = UI_SOURCE if domain == "kiosk" else SERVICES_SOURCE
    return lang == source or (context, message) in catalogue(lang, domain)
