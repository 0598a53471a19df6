"""TEMPORARY stand-in; replaced by the formats branch."""
from __future__ import annotations
import datetime as dt
import re
from typing import Callable

def _re(p: str) -> Callable[[str], bool]:
    rx = re.compile(p)
    return lambda v: isinstance(v, str) and bool(rx.fullmatch(v))

def _date(v: str) -> bool:
    try:
        dt.date.fromisoformat(v); return len(v) == 10
    except (ValueError, TypeError):
        return False

def _iban(v: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", v or ""): return False
    s = v[4:] + v[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1

FORMATS = {"name": _re(r"[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*"), "street": _re(r"[^\W_]+(?:[ '’.\-/][^\W_]*)*"),
           "house-number-de": _re(r"\d{1,4} ?[a-zA-Z]?(?: ?[-/] ?\d{1,4} ?[a-zA-Z]?)?"),
           "postal-code-de": _re(r"\d{5}"), "date": _date, "iban": _iban, "phone": _re(r"\+?[\d ]{6,20}"),
           "email": _re(r"[^@\s]+@[^@\s]+\.[a-z]{2,}"), "chip-number": _re(r"\d{15}")}

def parse_date_de(text: str) -> dt.date | None:
    m = re.fullmatch(r"\s*(\d{1,2})\s*[./\- ]\s*(\d{1,2})\s*[./\- ]\s*(\d{4})\s*", text) or re.fullmatch(r"(\d{2})(\d{2})(\d{4})", text.strip())
    if not m: return None
    try: return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError: return None

def normalise_iban(t: str) -> str: return t.replace(" ", "").upper()
def normalise_phone(t: str) -> str: return " ".join(t.split())
def normalise_postcode(t: str) -> str: return t.replace(" ", "")
