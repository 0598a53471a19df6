"""Import a FIM XDatenfelder 2.0 Stammdatenschema as a service definition.

FIM (Föderales Informationsmanagement) publishes what a German administrative service asks for
as XDatenfelder schemas. A 2.0 file has the root `xdf:xdatenfelder.stammdatenschema.0102`
(namespace `urn:xoev-de:fim:standard:xdatenfelder_2`); its `stammdatenschema` holds `struktur`
elements, each with an `anzahl` ("min:max", `*` = no limit) and one `datenfeld` or
`datenfeldgruppe` under `enthaelt`. Choice lists are not in the file: a select field names a
Genericode 1.0 code list by URN and version, and that list comes as a file of its own.

`import_xdf` turns such a file into a dict in the format of config/services/README.md and
`to_yaml` writes it. Anything the terminal cannot use raises `XdfError` naming the file, line and
element; what is left out or simplified is said in `notes` so the operator can review it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from re import _constants as _sre  # the standard library's own regex parser (Python 3.11 pinned)
from re import _parser as _sre_parser
from typing import Any, Sequence
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

XDF_NS = "urn:xoev-de:fim:standard:xdatenfelder_2"
XDF3_NS = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
GC_NS = "http://docs.oasis-open.org/codelist/ns/genericode/1.0/"
ROOT = "xdatenfelder.stammdatenschema.0102"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_OFFICE = "Bürgerbüro"
LOOSE_PAGE = ("angaben", "Angaben")  # the page for fields that sit outside any group

_SERVICE_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_PREFIX = re.compile(r"^[A-Z]{2,3}$")
_ANZAHL = re.compile(r"^(\d+):(\d+|\*|n)$")  # FIM writes '*' for "no limit"; 'n' is tolerated
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_MAX_KEY = 40  # property keys end up in dotted paths and receipts: keep them short

# Harmonised FIM fields keep these names. For them the terminal knows a keyboard and a check
# (README `format`) and a realistic example; a format is only set when its example fits the
# field's own limits, so the definition never contradicts itself.
_KNOWN_TEXT: dict[str, tuple[str | None, str]] = {
    "vorname": ("name", "Erika"),
    "vornamen": ("name", "Erika"),
    "rufname": ("name", "Erika"),
    "familienname": ("name", "Mustermann"),
    "nachname": ("name", "Mustermann"),
    "geburtsname": ("name", "Gabler"),
    "strasse": ("street", "Heidestraße"),
    "hausnummer": ("house-number-de", "17a"),
    "postleitzahl": ("postal-code-de", "51147"),
    "plz": ("postal-code-de", "51147"),
    "ort": (None, "Köln"),
    "wohnort": (None, "Köln"),
    "geburtsort": (None, "Köln"),
    "e_mail": ("email", "erika@example.de"),
    "e_mail_adresse": ("email", "erika@example.de"),
    "email": ("email", "erika@example.de"),
    "telefon": ("phone", "0221 12345678"),
    "telefonnummer": ("phone", "0221 12345678"),
    "iban": ("iban", "DE89370400440532013000"),
}
_GENERIC_TEXT = "Beispiel"


class XdfError(Exception):
    """The file cannot be imported; the message names the file, the place and the reason."""


# -- XML with line numbers --------------------------------------------------------------------

class _LineTreeBuilder(TreeBuilder):
    """ElementTree keeps no line numbers; operators need them to find the element."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.lines: dict[Element, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:  # type: ignore[override]
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


@dataclass(frozen=True)
class _Doc:
    path: Path
    root: Element
    lines: dict[Element, int]

    def where(self, element: Element) -> str:
        return f"{self.path}, line {self.lines.get(element, '?')} <{_local(element.tag)}>"

    def error(self, element: Element, reason: str) -> XdfError:
        return XdfError(f"{self.where(element)}: {reason}")


def _read_xml(path: Path) -> _Doc:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise XdfError(f"{path}: cannot read the file ({exc.strerror})") from None
    builder = _LineTreeBuilder()
    # Files come from outside: no DTDs, entities or external references (billion laughs, XXE).
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line, column = exc.position  # expat counts columns from 0, editors from 1
        reason = str(exc).split(": line")[0]
        raise XdfError(f"{path}, line {line}, column {column + 1}: not well-formed XML ({reason})") from None
    except DefusedXmlException as exc:
        raise XdfError(f"{path}: refused: the file uses a DTD, entities or external references "
                       f"({type(exc).__name__}); XDatenfelder and Genericode files never need them") from None
    return _Doc(path, root, builder.lines)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _xdf(name: str) -> str:
    return f"{{{XDF_NS}}}{name}"


def _clean(text: str | None) -> str:
    """Texts in FIM files are often indented and wrapped; the terminal shows them on one line."""
    return " ".join((text or "").split())


def _text(element: Element, name: str) -> str:
    return _clean(element.findtext(_xdf(name)))


def _code(element: Element, name: str) -> str:
    """FIM code values sit in an unqualified <code> child: <xdf:feldart><code>input</code>."""
    holder = element.find(_xdf(name))
    return _clean(holder.findtext("code")) if holder is not None else ""


# -- the XDatenfelder model (only what the terminal uses) ----------------------------------------

@dataclass(frozen=True)
class _Occurs:
    min: int
    max: int | None  # None: no upper limit
    text: str


@dataclass(frozen=True)
class _CodelistRef:
    list_id: str
    urn: str
    version: str
    version_urn: str

    def describe(self) -> str:
        version = f" version {self.version}" if self.version else ""
        return f"{self.urn}{version} ({self.list_id})" if self.list_id else f"{self.urn}{version}"


@dataclass(frozen=True)
class _Meta:
    element: Element
    fim_id: str
    version: str
    name: str
    label: str
    help: str


@dataclass(frozen=True)
class _Field:
    meta: _Meta
    feldart: str
    datentyp: str
    praezisierung: str
    codelist: _CodelistRef | None


@dataclass(frozen=True)
class _Group:
    meta: _Meta
    parts: tuple[_Part, ...]


@dataclass(frozen=True)
class _Part:
    """One `struktur`: how often an element occurs, and the element."""

    occurs: _Occurs
    item: _Field | _Group


def _meta(doc: _Doc, element: Element) -> _Meta:
    ident = element.find(_xdf("identifikation"))
    fim_id = _text(ident, "id") if ident is not None else ""
    if not fim_id:
        raise doc.error(element, "has no <xdf:identifikation><xdf:id>")
    name = _text(element, "name")
    if not name:
        raise doc.error(element, f"{fim_id} has no <xdf:name>")
    return _Meta(element, fim_id, _text(ident, "version"), name,
                 _text(element, "bezeichnungEingabe") or name, _text(element, "hilfetextEingabe"))


def _occurs(doc: _Doc, struktur: Element) -> _Occurs:
    anzahl = struktur.find(_xdf("anzahl"))
    text = _clean(anzahl.text) if anzahl is not None else ""
    match = _ANZAHL.match(text)
    if anzahl is None or match is None:
        raise doc.error(anzahl if anzahl is not None else struktur,
                        f"anzahl '{text}' is not of the form min:max (e.g. 1:1, 0:1, 0:*)")
    low, high = int(match[1]), None if match[2] in "*n" else int(match[2])
    if high is not None and (high < low or high == 0):
        raise doc.error(anzahl, f"anzahl '{text}' allows no value")
    return _Occurs(low, high, text)


def _parts(doc: _Doc, parent: Element) -> tuple[_Part, ...]:
    parts = []
    for struktur in parent.findall(_xdf("struktur")):
        enthaelt = struktur.find(_xdf("enthaelt"))
        items = list(enthaelt) if enthaelt is not None else []
        if len(items) != 1:
            raise doc.error(struktur, f"needs exactly one datenfeld or datenfeldgruppe under "
                                      f"<xdf:enthaelt>, found {len(items)}")
        parts.append(_Part(_occurs(doc, struktur), _item(doc, items[0])))
    return tuple(parts)


def _item(doc: _Doc, element: Element) -> _Field | _Group:
    if element.tag == _xdf("datenfeldgruppe"):
        return _Group(_meta(doc, element), _parts(doc, element))
    if element.tag == _xdf("datenfeld"):
        return _Field(_meta(doc, element), _code(element, "feldart"), _code(element, "datentyp"),
                      (element.findtext(_xdf("praezisierung")) or "").strip(),
                      _codelist_ref(doc, element))
    raise doc.error(element, "expected xdf:datenfeld or xdf:datenfeldgruppe")


def _codelist_ref(doc: _Doc, field: Element) -> _CodelistRef | None:
    ref = field.find(_xdf("codelisteReferenz"))
    if ref is None:
        return None
    ident = ref.find(_xdf("identifikation"))
    generic = ref.find(_xdf("genericodeIdentification"))
    if generic is None or not _text(generic, "canonicalIdentification"):
        raise doc.error(ref, "has no <xdf:genericodeIdentification><xdf:canonicalIdentification>")
    return _CodelistRef(_text(ident, "id") if ident is not None else "",
                        _text(generic, "canonicalIdentification"), _text(generic, "version"),
                        _text(generic, "canonicalVersionUri"))


def _stammdatenschema(doc: _Doc) -> Element:
    root = doc.root
    namespace, local = _namespace(root.tag), _local(root.tag)
    if namespace == XDF_NS and local == ROOT:
        schema = root.find(_xdf("stammdatenschema"))
        if schema is None:
            raise doc.error(root, "has no <xdf:stammdatenschema>")
        return schema
    if namespace == XDF3_NS:
        raise doc.error(root, "this is XDatenfelder 3, which is not supported; export the "
                              "Stammdatenschema as XDatenfelder 2.0")
    if namespace == XDF_NS:
        raise doc.error(root, f"an XDatenfelder 2.0 message of type {local}, not a "
                              f"Stammdatenschema ({ROOT})")
    raise doc.error(root, f"not an XDatenfelder 2.0 Stammdatenschema: expected root element {ROOT} "
                          f"in namespace {XDF_NS}, found {local} in namespace '{namespace or '(none)'}'")


# -- Genericode code lists ---------------------------------------------------------------------

@dataclass(frozen=True)
class CodeList:
    """A Genericode 1.0 code list: its identity and its (code, name) rows in file order."""

    urn: str
    version: str
    version_urn: str
    entries: tuple[tuple[str, str], ...]
    path: Path


def _gc(element: Element, name: str) -> list[Element]:
    # Genericode's own schema leaves children unqualified, but some tools qualify them: accept both.
    return [child for child in element if _local(child.tag) == name
            and _namespace(child.tag) in ("", GC_NS)]


def _gc_text(element: Element, name: str) -> str:
    found = _gc(element, name)
    return _clean(found[0].text) if found else ""


def read_genericode(path: Path) -> CodeList:
    """Read a Genericode 1.0 SimpleCodeList; the code column is the `codeKey` key (FIM's
    convention) or else the first key or column, the name column `codenameKey` or the next one."""
    doc = _read_xml(path)
    root = doc.root
    if _local(root.tag) != "CodeList" or _namespace(root.tag) != GC_NS:
        raise doc.error(root, f"not a Genericode 1.0 code list (root gc:CodeList in {GC_NS})")
    ident = (_gc(root, "Identification") or [None])[0]
    if ident is None or not _gc_text(ident, "CanonicalUri"):
        raise doc.error(root, "has no <Identification><CanonicalUri>")
    return CodeList(_gc_text(ident, "CanonicalUri"), _gc_text(ident, "Version"),
                    _gc_text(ident, "CanonicalVersionUri"), _rows(doc, root, *_columns(doc, root)), path)


def _columns(doc: _Doc, root: Element) -> tuple[list[str], str, str]:
    """All column ids, the code column, the name column."""
    column_set = (_gc(root, "ColumnSet") or [None])[0]
    if column_set is None:
        raise doc.error(root, "has no <ColumnSet>")
    columns = [c.get("Id", "") for c in _gc(column_set, "Column")]
    keys = {k.get("Id", ""): ref.get("Ref", "") for k in _gc(column_set, "Key")
            for ref in _gc(k, "ColumnRef")[:1]}
    code = keys.get("codeKey") or next(iter(keys.values()), "") or (columns[0] if columns else "")
    name = keys.get("codenameKey") or next((c for c in columns if c != code), "")
    if not code or not name:
        raise doc.error(column_set, "needs a code column and a name column")
    return columns, code, name


def _rows(doc: _Doc, root: Element, columns: list[str], code_column: str,
          name_column: str) -> tuple[tuple[str, str], ...]:
    simple = (_gc(root, "SimpleCodeList") or [None])[0]
    if simple is None:
        raise doc.error(root, "has no <SimpleCodeList>")
    entries = []
    for row in _gc(simple, "Row"):
        values = _row_values(row, columns)
        code = values.get(code_column, "")
        if not code:
            raise doc.error(row, f"has no value in the code column '{code_column}'")
        entries.append((code, values.get(name_column) or code))
    if not entries:
        raise doc.error(simple, "has no rows")
    return tuple(entries)


def _row_values(row: Element, columns: list[str]) -> dict[str, str]:
    """Values by column id; a Value without ColumnRef belongs to the column after the previous one."""
    values, position = {}, 0
    for value in _gc(row, "Value"):
        ref = value.get("ColumnRef")
        if ref in columns:
            position = columns.index(ref)
        column = ref or (columns[position] if position < len(columns) else "")
        values[column] = _gc_text(value, "SimpleValue")
        position += 1
    return values


class _CodeLists:
    """The lists the operator named, then the Genericode files next to the XDF file (read lazily:
    only a select field needs them, and the folder may hold other XML)."""

    def __init__(self, xdf_path: Path, given: Sequence[Path]) -> None:
        self.xdf_path = xdf_path
        self.given = [read_genericode(Path(p)) for p in given]
        self.beside: list[CodeList] | None = None

    def _neighbours(self) -> list[CodeList]:
        if self.beside is None:
            self.beside = []
            named = {c.path.resolve() for c in self.given} | {self.xdf_path.resolve()}
            for candidate in sorted(self.xdf_path.parent.glob("*.xml")):
                if candidate.resolve() in named:
                    continue
                try:
                    self.beside.append(read_genericode(candidate))
                except XdfError:
                    continue  # not a code list: other files in the folder are not ours to judge
        return self.beside

    def find(self, ref: _CodelistRef) -> CodeList | None:
        """The referenced list, named lists first; neighbours are only read when needed."""
        exact = self._exact(self.given, ref) or self._exact(self._neighbours(), ref)
        if exact:
            return exact
        other = [c for c in self.given + self._neighbours() if self._same(c, ref)]
        if other:
            raise XdfError(f"{other[0].path}: code list {ref.urn} has version {other[0].version}, "
                           f"but {ref.describe()} is referenced; give the referenced version")
        return None

    @staticmethod
    def _same(codelist: CodeList, ref: _CodelistRef) -> bool:
        return codelist.urn == ref.urn or bool(ref.version_urn) and codelist.version_urn == ref.version_urn

    def _exact(self, lists: list[CodeList], ref: _CodelistRef) -> CodeList | None:
        return next((c for c in lists if self._same(c, ref)
                     and (not ref.version or c.version == ref.version)), None)

    def searched(self) -> str:
        names = [c.path.name for c in self.given + self._neighbours()]
        return ", ".join(names) if names else "none found"


# -- examples ---------------------------------------------------------------------------------

class _Unsure(Exception):
    pass


def _json_pattern(pattern: str) -> str:
    """XDatenfelder patterns are whole-value patterns (as in XML Schema); JSON Schema's `pattern`
    searches, so anchor it."""
    if pattern.startswith("^") and pattern.endswith("$"):
        return pattern
    return f"^(?:{pattern})$"


def _pattern_sample(pattern: str) -> str | None:
    """The shortest string of the usual FIM patterns (classes, literals, repeats, groups)."""
    try:
        return _emit(_sre_parser.parse(pattern))
    except (re.error, _Unsure):
        return None


def _emit(items: Any) -> str:
    return "".join(_emit_one(op, arg) for op, arg in items)


def _emit_one(op: Any, arg: Any) -> str:
    if op is _sre.LITERAL:
        return chr(arg)
    if op is _sre.ANY:
        return "a"
    if op is _sre.IN:
        return _emit_class(arg)
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, _high, sub = arg
        return _emit(sub) * low
    if op is _sre.SUBPATTERN:
        return _emit(arg[-1])
    if op is _sre.BRANCH:
        return _emit(arg[1][0])
    if op is _sre.AT:
        return ""
    raise _Unsure(str(op))


_CATEGORY_SAMPLES = {_sre.CATEGORY_DIGIT: "1", _sre.CATEGORY_WORD: "a", _sre.CATEGORY_SPACE: " ",
                     _sre.CATEGORY_NOT_DIGIT: "a", _sre.CATEGORY_NOT_SPACE: "a"}


def _emit_class(items: Any) -> str:
    op, arg = items[0]
    if op is _sre.LITERAL:
        return chr(arg)
    if op is _sre.RANGE:
        return chr(arg[0])
    if op is _sre.CATEGORY and arg in _CATEGORY_SAMPLES:
        return _CATEGORY_SAMPLES[arg]
    raise _Unsure(str(op))  # negated classes and the like: the caller reports it


def _fits(text: str, low: int | None, high: int | None, pattern: str | None) -> bool:
    if low is not None and len(text) < low or high is not None and len(text) > high:
        return False
    return pattern is None or re.search(_json_pattern(pattern), text) is not None


def _generic_text(low: int | None, high: int | None) -> str:
    text = _GENERIC_TEXT + "x" * max(0, (low or 0) - len(_GENERIC_TEXT))
    return text[:high] if high is not None else text


def _number_text(value: float) -> str:
    """As a German citizen types it: no '.0', a decimal comma."""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


# -- slugs ------------------------------------------------------------------------------------

def slug(text: str, separator: str = "_") -> str:
    """Lower-case ASCII: umlauts become ae/oe/ue, ß becomes ss, anything else a separator."""
    ascii_text = unicodedata.normalize("NFKD", text.lower().translate(_UMLAUTS))
    ascii_text = ascii_text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", separator, ascii_text).strip(separator)


def _key(name: str, taken: dict[str, Any] | set[str]) -> str:
    base = slug(name)[:_MAX_KEY].rstrip("_") or "feld"
    if not base[0].isalpha():
        base = f"feld_{base}"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


# -- building the definition ------------------------------------------------------------------

Built = tuple[dict[str, Any], list[dict[str, Any]]]  # a property's schema, its page fields


class _Builder:
    def __init__(self, doc: _Doc, codelists: _CodeLists, notes: list[str]) -> None:
        self.doc = doc
        self.codelists = codelists
        self.notes = notes

    def note(self, meta: _Meta, text: str) -> None:
        line = self.doc.lines.get(meta.element, "?")
        self.notes.append(f"{self.doc.path.name}, line {line}: {meta.fim_id} '{meta.name}': {text}")

    # pages ---------------------------------------------------------------------------------

    def service(self, parts: tuple[_Part, ...]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Each top-level group is a page; top-level fields share one page 'Angaben', placed
        where the first of them appears."""
        properties, required, members = self.members(parts, "")
        steps: list[dict[str, Any]] = []
        loose: dict[str, Any] | None = None
        for part, key, fields in members:
            if isinstance(part.item, _Group):
                steps.append(self.page(key, part.item.meta, fields))
                continue
            if loose is None:
                loose = {"id": LOOSE_PAGE[0], "title": LOOSE_PAGE[1], "fields": []}
                steps.append(loose)
            loose["fields"].extend(fields)
        if loose is not None:
            loose["id"] = _key(LOOSE_PAGE[0], {s["id"] for s in steps if s is not loose})
        return _object({"$schema": JSON_SCHEMA}, properties, required), steps

    @staticmethod
    def page(key: str, meta: _Meta, fields: list[dict[str, Any]]) -> dict[str, Any]:
        step: dict[str, Any] = {"id": key, "title": meta.label}
        if meta.help:
            step["instruction"] = meta.help
        step["fields"] = fields
        return step

    def members(self, parts: tuple[_Part, ...], prefix: str) -> tuple[
            dict[str, Any], list[str], list[tuple[_Part, str, list[dict[str, Any]]]]]:
        """An object's properties, its required keys, and per member its key and page fields."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        members = []
        for part in parts:
            key = _key(part.item.meta.name, properties)
            built = self.part(part, f"{prefix}{key}")
            if built is None:
                continue
            properties[key], fields = built
            members.append((part, key, fields))
            if part.occurs.min > 0:
                required.append(key)
        return properties, required, members

    def part(self, part: _Part, path: str) -> Built | None:
        if isinstance(part.item, _Group):
            if part.occurs.max != 1:
                self.note(part.item.meta, f"the group may be given several times (anzahl "
                                          f"{part.occurs.text}); the terminal asks for it once")
            return self.group(part.item, path)
        return self.field(part, path)

    def group(self, group: _Group, path: str) -> Built | None:
        """A group below the first level is a nested object on the same page."""
        properties, required, members = self.members(group.parts, f"{path}.")
        if not properties:
            self.note(group.meta, "the group holds nothing the terminal can ask; left out")
            return None
        head = {"title": group.meta.label, "type": "object"}
        fields = [entry for _part, _key, entries in members for entry in entries]
        return _object(head, properties, required, _fim(group.meta)), fields

    # fields --------------------------------------------------------------------------------

    def field(self, part: _Part, path: str) -> Built | None:
        field = part.item
        assert isinstance(field, _Field)
        if field.feldart == "label":
            self.note(field.meta, "static text (feldart label) is not shown; left out")
            return None
        if field.datentyp in ("file", "obj"):
            return self.attachment(field, part.occurs)
        if field.feldart == "select":
            schema, example = self.choice(field, part.occurs)
        elif field.feldart == "input":
            schema, example = self.input(field)
            if part.occurs.max != 1 or part.occurs.min > 1:
                self.note(field.meta, f"may be given several times (anzahl {part.occurs.text}); "
                                      "the terminal asks for one value")
        else:
            raise self.doc.error(field.meta.element, f"{field.meta.fim_id}: feldart "
                                 f"'{field.feldart}' is unknown (XDatenfelder 2.0: input, select, label)")
        entry: dict[str, Any] = {"field": path}
        if field.meta.help:
            entry["help"] = field.meta.help
        entry["example"] = example
        return {"title": field.meta.label, **schema, **_fim(field.meta)}, [entry]

    def attachment(self, field: _Field, occurs: _Occurs) -> None:
        # The terminal has no scanner or upload yet: a required attachment would make the
        # service impossible to finish, an optional one can wait for the back office.
        if occurs.min > 0:
            raise self.doc.error(field.meta.element, f"{field.meta.fim_id} '{field.meta.name}' is a "
                                 f"required attachment (datentyp {field.datentyp}); attachments are "
                                 "not supported yet")
        self.note(field.meta, f"optional attachment (datentyp {field.datentyp}) left out: "
                              "attachments are not supported yet")

    def choice(self, field: _Field, occurs: _Occurs) -> tuple[dict[str, Any], Any]:
        entries = self.codelist(field)
        options = [{"const": code, "title": name} for code, name in entries]
        if occurs.max == 1:
            return {"type": "string", "oneOf": options}, entries[0][0]
        # Several values of a choice: the terminal's multiple choice (README: array of strings).
        least = max(occurs.min, 1)
        if least > len(entries):
            raise self.doc.error(field.meta.element, f"{field.meta.fim_id}: anzahl {occurs.text} "
                                 f"asks for more choices than its code list has ({len(entries)})")
        schema: dict[str, Any] = {"type": "array", "items": {"type": "string", "oneOf": options},
                                  "uniqueItems": True}
        if occurs.min > 0:
            schema["minItems"] = occurs.min
        if occurs.max is not None:
            schema["maxItems"] = occurs.max
        return schema, [code for code, _name in entries[:least]]

    def codelist(self, field: _Field) -> tuple[tuple[str, str], ...]:
        meta, ref = field.meta, field.codelist
        if ref is None:
            raise self.doc.error(meta.element, f"{meta.fim_id} '{meta.name}' is a select field "
                                 "without <xdf:codelisteReferenz>")
        found = self.codelists.find(ref)
        if found is None:
            raise self.doc.error(meta.element, f"{meta.fim_id} '{meta.name}' needs code list "
                                 f"{ref.describe()}, which was not given: put its Genericode file "
                                 f"next to {self.doc.path.name} or name it with --codelist FILE "
                                 f"(code lists seen: {self.codelists.searched()})")
        codes = [code for code, _name in found.entries]
        doubled = sorted({code for code in codes if codes.count(code) > 1})
        if doubled:
            raise XdfError(f"{found.path}: code {', '.join(doubled)} appears more than once")
        return found.entries

    def input(self, field: _Field) -> tuple[dict[str, Any], Any]:
        limits = self.limits(field)
        if field.datentyp == "text":
            result = self.text(field, limits)
        elif field.datentyp == "date":
            example = "12.08.1964" if slug(field.meta.name).startswith("geburtsdatum") else "01.01.2000"
            result = {"type": "string", "format": "date"}, example
        elif field.datentyp == "bool":
            result = {"type": "boolean"}, False
        elif field.datentyp in ("num", "num_int", "num_currency"):
            result = self.number(field, limits)
        else:
            raise self.doc.error(field.meta.element, f"{field.meta.fim_id}: datentyp "
                                 f"'{field.datentyp}' is unknown (XDatenfelder 2.0: text, date, bool, "
                                 "num, num_int, num_currency, file, obj)")
        if limits:
            self.note(field.meta, f"praezisierung {', '.join(sorted(limits))} does not apply to "
                                  f"datentyp {field.datentyp}; ignored")
        return result

    def limits(self, field: _Field) -> dict[str, str]:
        """praezisierung is a JSON object of strings, e.g. {"minLength":"1","maxLength":"120"}."""
        raw = field.praezisierung
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, dict):
            self.note(field.meta, f"praezisierung {raw!r} is not a JSON object; ignored")
            return {}
        return {key: str(value).strip() for key, value in data.items()
                if value is not None and str(value).strip()}

    def whole(self, field: _Field, limits: dict[str, str], key: str) -> int | None:
        value = limits.pop(key, None)
        if value is None:
            return None
        if not re.fullmatch(r"\d+", value):
            raise self.doc.error(field.meta.element, f"{field.meta.fim_id}: praezisierung {key} "
                                 f"'{value}' is not a whole number")
        return int(value)

    def text(self, field: _Field, limits: dict[str, str]) -> tuple[dict[str, Any], str]:
        meta = field.meta
        low, high = self.whole(field, limits, "minLength"), self.whole(field, limits, "maxLength")
        pattern = limits.pop("pattern", None)
        if low is not None and high is not None and low > high:
            raise self.doc.error(meta.element, f"{meta.fim_id}: minLength {low} > maxLength {high}")
        if pattern is not None:
            try:
                re.compile(_json_pattern(pattern))
            except re.error as exc:
                raise self.doc.error(meta.element, f"{meta.fim_id}: pattern {pattern!r} is not a "
                                     f"regular expression the terminal understands ({exc})") from None
        known_format, example = self.text_example(field, low, high, pattern)
        schema: dict[str, Any] = {"type": "string"}
        if known_format:
            schema["format"] = known_format
        schema.update({k: v for k, v in (("minLength", low), ("maxLength", high)) if v is not None})
        if pattern is not None:
            schema["pattern"] = _json_pattern(pattern)
        return schema, example

    def text_example(self, field: _Field, low: int | None, high: int | None,
                     pattern: str | None) -> tuple[str | None, str]:
        known = _KNOWN_TEXT.get(slug(field.meta.name))
        if known and _fits(known[1], low, high, pattern):
            return known
        generic = _generic_text(low, high)
        if _fits(generic, low, high, pattern):
            return None, generic
        sample = _pattern_sample(pattern) if pattern else None
        if sample is not None and _fits(sample, low, high, pattern):
            return None, sample
        raise self.doc.error(field.meta.element, f"{field.meta.fim_id}: cannot make an example that "
                             f"fits pattern {pattern!r} and length {low or 0}–{high or '∞'}; "
                             "simplify the pattern in the XDF file")

    def number(self, field: _Field, limits: dict[str, str]) -> tuple[dict[str, Any], str]:
        whole = field.datentyp == "num_int"
        bounds = {name: self.bound(field, limits, key, whole)
                  for name, key in (("minimum", "minValue"), ("maximum", "maxValue"))}
        low, high = bounds["minimum"], bounds["maximum"]
        if low is not None and high is not None and low > high:
            raise self.doc.error(field.meta.element, f"{field.meta.fim_id}: minValue {low} > maxValue {high}")
        example: int | float = 1
        if low is not None and example < low:
            example = low
        if high is not None and example > high:
            example = high
        schema: dict[str, Any] = {"type": "integer" if whole else "number"}
        schema.update({k: v for k, v in bounds.items() if v is not None})
        return schema, _number_text(example)

    def bound(self, field: _Field, limits: dict[str, str], key: str, whole: bool) -> int | float | None:
        value = limits.pop(key, None)
        if value is None:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = float("nan")
        if number != number or whole and not number.is_integer():
            kind = "a whole number" if whole else "a number"
            raise self.doc.error(field.meta.element, f"{field.meta.fim_id}: praezisierung {key} "
                                 f"'{value}' is not {kind}")
        return int(number) if whole or number.is_integer() else number


def _object(head: dict[str, Any], properties: dict[str, Any], required: list[str],
            tail: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = {**head, "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {**schema, **(tail or {})}


def _fim(meta: _Meta) -> dict[str, str]:
    ids = {"x-fim-id": meta.fim_id}
    if meta.version:
        ids["x-fim-version"] = meta.version
    return ids


# -- the service ------------------------------------------------------------------------------

def import_xdf(path: Path, *, service_id: str | None = None, reference_prefix: str | None = None,
               codelists: Sequence[Path] = (), office: str = DEFAULT_OFFICE,
               notes: list[str] | None = None) -> dict[str, Any]:
    """The service definition (config/services/README.md) for an XDatenfelder 2.0 file.

    `codelists` are Genericode files for the select fields; Genericode files next to `path` are
    used too. What was left out or simplified is appended to `notes` (one line each)."""
    path = Path(path)
    doc = _read_xml(path)
    element = _stammdatenschema(doc)
    schema_meta = _meta(doc, element)
    found_notes: list[str] = []
    builder = _Builder(doc, _CodeLists(path, codelists), found_notes)
    for rule in element.iter(_xdf("regel")):
        builder.note(_meta(doc, rule), "rules (xdf:regel) are not converted; check them by hand")
    schema, steps = builder.service(_parts(doc, element))
    if not steps:
        raise doc.error(element, "holds no field the terminal can ask")
    identity = _service_id(schema_meta, service_id)
    definition = {
        "id": identity,
        "reference_prefix": _prefix(doc, identity, reference_prefix),
        "title": _text(element, "bezeichnungEingabe") or schema_meta.name,
        "summary": _summary(builder, element, schema_meta),
        "office": office,
        "fim": _fim_ids(schema_meta),
        "needs": {"identification": False, "photo": False, "fee": None},
        "schema": schema,
        "steps": steps,
    }
    if notes is not None:
        notes.extend(found_notes)
    return definition


def _service_id(meta: _Meta, given: str | None) -> str:
    identity = given if given is not None else slug(meta.name, "-")
    if not _SERVICE_ID.match(identity):
        if given is not None:
            raise XdfError(f"service id '{given}': use lower case letters, digits, '-' or '_', "
                           "starting with a letter")
        identity = slug(meta.fim_id, "-")
    return identity


def _prefix(doc: _Doc, identity: str, given: str | None) -> str:
    if given is not None:
        if not _PREFIX.match(given):
            raise XdfError(f"reference prefix '{given}': use 2 or 3 capital letters, e.g. MB")
        return given
    letters = re.sub(r"[^a-z]", "", identity)[:2].upper()
    if len(letters) < 2:
        raise XdfError(f"{doc.path}: cannot derive a reference prefix from '{identity}'; give one")
    return letters


def _summary(builder: _Builder, element: Element, meta: _Meta) -> str:
    summary = _text(element, "beschreibung") or _text(element, "definition")
    if not summary:
        builder.note(meta, "no beschreibung or definition: the summary repeats the title; "
                           "write one plain sentence")
    return summary or meta.label


def _fim_ids(meta: _Meta) -> dict[str, str]:
    ids = {"stammdatenschema": meta.fim_id}
    if meta.version:
        ids["version"] = meta.version
    return ids


# -- YAML -------------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """Block style as in the README: nested lists indented, no anchors for repeated lists."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def to_yaml(definition: dict[str, Any], comment: str | None = None) -> str:
    """The definition as YAML in the README's key order, umlauts as they are; `comment` lines
    (e.g. where it came from, the import notes) go on top as # comments."""
    body = yaml.dump(definition, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100)
    if not comment:
        return body
    head = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines())
    return head + body
