"""The code page a receipt is printed in, and its texts made fit for it.

An ESC/POS printer prints one byte per character from a table chosen with
ESC t. No table holds every UI language, so each receipt gets the first table
of PREFERENCE that the printer has and that holds every letter of the receipt;
the whole receipt is printed in that one table.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Protocol

from hardware.printer import arabic_text

# In order of preference; the names are those of the escpos-printer-db profiles,
# which also give each table's ESC t number on a printer model. DOS tables come
# first: every Epson-compatible printer has them, the Windows (WPC) tables only
# newer models.
PREFERENCE = (
    "CP858",  # de, en: cp850 with €
    "CP852",  # pl (without €: a Polish receipt with € gets CP1250)
    "CP857",  # tr (without €: a Turkish receipt with € gets CP1254)
    "CP1251",  # ru, uk: Cyrillic with Ukrainian і ґ є ї, and €
    "CP1125",  # ru, uk on printers without CP1251 (cp866 with і ґ, no €)
    "CP866",  # ru only: no Ukrainian і ґ
    "CP864",  # ar: presentation forms, see arabic_text
    "CP1250",  # pl with €
    "CP1254",  # tr with €
    "CP437",  # the power-on table every printer has: de without €, en
)

# Typography that most tables lack, in every language's plain form.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash (Russian and Ukrainian texts use it)
        "\u2212": "-",  # minus sign
        "\u201e": '"',  # „
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201a": "'",  # ‚
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u02bc": "'",  # ʼ (Ukrainian apostrophe)
        "\u2026": "...",  # …
    }
)

# The last resort, used only when no table holds every letter: German words in
# a Cyrillic or Arabic receipt ("Справка о несудимости (Führungszeugnis)") are
# spelt without umlauts as German itself does when it has to (ae, oe, ue, ss),
# and the euro sign as EUR.
TRANSLITERATION = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "€": "EUR"}


class CodePageProfile(Protocol):
    """What is needed of a python-escpos printer profile (`printer.profile`)."""

    def get_code_pages(self) -> dict[str, str]: ...


def printable(text: str) -> str:
    """Text safe to put on paper: control characters become spaces.

    Receipt values may come from citizens; an ESC or GS inside one would be
    executed by the printer (a cut, a code page switch, a status query).
    Format characters (bidi marks, joiners) stay for shaping and reordering;
    no code page has them, so they never reach the wire either.
    """
    text = text.translate(_TYPOGRAPHY)
    return "".join(ch if ch.isprintable() or _is_format(ch) else " " for ch in text).strip()


def choose_codepage(texts: Iterable[str], profile: CodePageProfile,
                    preference: Sequence[str] = ()) -> str | None:
    """The first table of `preference` (empty: PREFERENCE) that the printer has and
    that holds every letter of the texts (after `printable`, and for Arabic after
    shaping); tables that need TRANSLITERATION only when no table holds them all.
    None when not even that helps (e.g. Chinese, or Persian letters)."""
    texts = list(texts)
    tables = [name for name in preference or PREFERENCE if name in profile.get_code_pages()]
    for transliterate in (False, True):
        for name in tables:
            if all(_fits(paper_text(text, name, transliterate), name) for text in texts):
                return name
    return None


def receipt_fits(texts: Iterable[str], profile: CodePageProfile, preference: Sequence[str] = ()) -> bool:
    """Whether a receipt with these texts (`Receipt.texts()`) can be printed on
    a printer with this profile, in the receipt's own language."""
    return choose_codepage(texts, profile, preference) is not None


def paper_text(text: str, codepage: str, transliterate: bool = True) -> str:
    """`printable` text as it goes into `codepage`, still in logical order:
    Arabic shaped and folded for PC864, letters the table lacks transliterated."""
    text = printable(text)
    if codepage == "CP864":
        text = arabic_text.fold_for_cp864(arabic_text.shape(text))
    if transliterate:
        codec = _codec(codepage)
        text = "".join(ch if _in_table(ch, codec) else TRANSLITERATION.get(ch, ch) for ch in text)
    return text


def _fits(text: str, codepage: str) -> bool:
    codec = _codec(codepage)
    return all(_in_table(ch, codec) or _is_format(ch) for ch in text)


def _in_table(char: str, codec: str) -> bool:
    """Whether python-escpos sends `char` as one byte that prints it. ASCII is
    sent as it is in every table (in PC864 0x25 prints the Arabic percent
    sign ٪, which Python's cp864 codec insists on)."""
    if " " <= char < "\x7f":
        return True
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _codec(codepage: str) -> str:
    return codepage.lower()  # "CP1251" -> Python's "cp1251"


def _is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"
