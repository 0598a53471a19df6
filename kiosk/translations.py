"""Keeping the gettext catalogues complete: find every text, update the catalogues, list gaps.

The terminal's texts are found in the code (`app.t("…")`, `tr(lang, "…")`, `N_("…")`, in .py
and .kv files) with Babel's extractor; the services' texts come from the loaded definitions.
`update` writes the templates (config/locale/*.pot) and merges them into every language's .po,
keeping what translators wrote; `missing` lists what still needs translating.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po

from kiosk.config import REPO_ROOT
from kiosk.forms.service import Service
from kiosk.i18n import LANGUAGES, LOCALE_DIR, SERVICES_SOURCE, UI_SOURCE, catalogue, catalogue_path

KEYWORDS = {"t": None, "tr": (2,), "N_": None}
SOURCES = ("kiosk", "hardware")
DOMAINS = {"kiosk": UI_SOURCE, "services": SERVICES_SOURCE}


def ui_messages() -> dict[str, list[tuple[str, int]]]:
    """Every terminal text with where it is used."""
    found: dict[str, list[tuple[str, int]]] = {}
    for folder in SOURCES:
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".kv") and path.name != "translations.py":
                for line, message, _comments, _context in extract("python", io.BytesIO(path.read_bytes()),
                                                                  keywords=KEYWORDS):
                    if isinstance(message, str) and message:
                        found.setdefault(message, []).append((str(path.relative_to(REPO_ROOT)), line))
    return found


def template(domain: str, services: tuple[Service, ...]) -> Catalog:
    pot = Catalog(project="Bürgerterminal", domain=domain, fuzzy=False)
    if domain == "kiosk":
        for message, places in ui_messages().items():
            pot.add(message, locations=places)
    else:
        for service in services:
            for text in service.texts():
                pot.add(text, context=service.id, locations=[(f"config/services/{service.id}", 0)])
    return pot


def update(services: tuple[Service, ...]) -> list[Path]:
    """Write the templates and merge them into each language's catalogue; return the files."""
    written = []
    for domain, source in DOMAINS.items():
        pot = template(domain, services)
        written.append(_write(LOCALE_DIR / f"{domain}.pot", pot))
        for lang in LANGUAGES:
            if lang != source:
                written.append(_write(catalogue_path(lang, domain), _merged(pot, lang, domain)))
    catalogue.cache_clear()
    return written


def _merged(pot: Catalog, lang: str, domain: str) -> Catalog:
    path = catalogue_path(lang, domain)
    if path.exists():
        with path.open("rb") as handle:
            po = read_po(handle, locale=lang)
    else:
        po = Catalog(locale=lang, domain=domain, project="Bürgerterminal")
    # No fuzzy matching: a guessed translation shown to a citizen is worse than the original.
    po.update(pot, no_fuzzy_matching=True, update_header_comment=False)
    po.obsolete.clear()
    return po


def _write(path: Path, catalog: Catalog) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False, include_previous=False,
             ignore_obsolete=True)
    # The creation date changes on every run; leave it out so unchanged catalogues stay unchanged.
    text = b"\n".join(line for line in buffer.getvalue().split(b"\n")
                      if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date')))
    path.write_bytes(text)
    return path


def missing(services: tuple[Service, ...]) -> list[tuple[str, str, str | None, str]]:
    """(language, domain, context, text) of every text without a translation."""
    gaps = []
    for domain, source in DOMAINS.items():
        pot = template(domain, services)
        for lang in LANGUAGES:
            if lang == source:
                continue
            translated = catalogue(lang, domain)
            gaps += [(lang, domain, m.context, str(m.id)) for m in pot
                     if m.id and (m.context, str(m.id)) not in translated]
    return gaps
