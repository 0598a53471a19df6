"""FIM XDatenfelder 2.0 import: real-shaped sample files become service definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kiosk.forms.xdf import XdfError, import_xdf, read_genericode, slug, to_yaml

DATA = Path(__file__).resolve().parents[1] / "data" / "xdf"
MELDE = DATA / "meldebescheinigung" / "S00000092V1.2_xdf2.xml"
HUND = DATA / "hundesteuer" / "S00000117V1.0_xdf2.xml"
HUND_LISTS = [DATA / "codelisten" / "C00000131_genericode.xml",
              DATA / "codelisten" / "C00000132_genericode.xml"]
NOT_XDF = DATA / "kaputt" / "kein_xdf.xml"
NO_LIST = DATA / "kaputt" / "S00000093V1.0_fehlende_codeliste_xdf2.xml"
README_KEYS = ["id", "reference_prefix", "title", "summary", "office", "fim", "needs", "schema", "steps"]


def melde(**kwargs: Any) -> dict[str, Any]:
    return import_xdf(MELDE, **kwargs)


def hund(**kwargs: Any) -> dict[str, Any]:
    return import_xdf(HUND, codelists=HUND_LISTS, **kwargs)


def prop(definition: dict[str, Any], dotted: str) -> dict[str, Any]:
    schema = definition["schema"]
    for key in dotted.split("."):
        schema = schema["properties"][key]
    return schema


def page(definition: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(step for step in definition["steps"] if step["id"] == step_id)


# The terminal turns what the citizen types into data; the tests do the same for the examples.

def typed_to_data(schema: dict[str, Any], typed: Any) -> Any:
    if schema.get("format") == "date":
        day, month, year = typed.split(".")
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if schema["type"] == "integer":
        return int(typed)
    if schema["type"] == "number":
        return float(typed.replace(",", "."))
    return typed


def example_data(definition: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for step in definition["steps"]:
        for entry in step["fields"]:
            *parents, leaf = entry["field"].split(".")
            target = data
            for key in parents:
                target = target.setdefault(key, {})
            target[leaf] = typed_to_data(prop(definition, entry["field"]), entry["example"])
    return data


def required_leaves(schema: dict[str, Any], prefix: str = "") -> set[str]:
    leaves = set()
    for key in schema.get("required", []):
        child = schema["properties"][key]
        path = f"{prefix}{key}"
        leaves |= required_leaves(child, f"{path}.") if child["type"] == "object" else {path}
    return leaves


def all_leaves(schema: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    leaves = {}
    for key, child in schema["properties"].items():
        path = f"{prefix}{key}"
        leaves.update(all_leaves(child, f"{path}.") if child["type"] == "object" else {path: child})
    return leaves


# -- Meldebescheinigung: two groups, a select with its code list next to the file ---------------

def test_meldebescheinigung_header_in_readme_order() -> None:
    definition = melde()
    assert list(definition) == README_KEYS
    assert definition["id"] == "meldebescheinigung"
    assert definition["reference_prefix"] == "ME"
    assert definition["title"] == "Meldebescheinigung beantragen"  # bezeichnungEingabe, not name
    assert definition["summary"] == ("Eine Bescheinigung über Ihren Wohnsitz, zum Beispiel für den "
                                     "Arbeitgeber oder die Bank.")  # wrapped beschreibung, one line
    assert definition["office"] == "Bürgerbüro"
    assert definition["fim"] == {"stammdatenschema": "S00000092", "version": "1.2"}
    assert definition["needs"] == {"identification": False, "photo": False, "fee": None}


def test_meldebescheinigung_groups_become_pages_and_loose_fields_page_angaben() -> None:
    definition = melde()
    assert [(s["id"], s["title"]) for s in definition["steps"]] == [
        ("antragsteller", "Ihre Person"), ("anschrift", "Ihre Anschrift"), ("angaben", "Angaben")]
    person = page(definition, "antragsteller")
    assert person["instruction"] == "Bitte geben Sie Ihre Daten so an, wie sie im Ausweis stehen."
    assert person["fields"] == [
        {"field": "antragsteller.vorname", "help": "Wie im Ausweis, zum Beispiel Erika Maria.",
         "example": "Erika"},
        {"field": "antragsteller.familienname", "example": "Mustermann"},
        {"field": "antragsteller.geburtsdatum", "help": "Tag.Monat.Jahr, zum Beispiel 12.08.1964.",
         "example": "12.08.1964"},
    ]
    assert "instruction" not in page(definition, "anschrift")
    assert [f["field"] for f in page(definition, "anschrift")["fields"]] == [
        "anschrift.strasse", "anschrift.hausnummer", "anschrift.postleitzahl", "anschrift.ort"]
    assert page(definition, "angaben")["fields"] == [
        {"field": "zweck", "help": "Wählen Sie eine Antwort.", "example": "01"}]


def test_meldebescheinigung_schema_fields() -> None:
    definition = melde()
    schema = definition["schema"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["antragsteller", "anschrift", "zweck"]
    person = prop(definition, "antragsteller")
    assert person["type"] == "object" and person["title"] == "Ihre Person"
    assert person["x-fim-id"] == "G00000501"
    assert person["required"] == ["vorname", "familienname", "geburtsdatum"]
    assert prop(definition, "antragsteller.vorname") == {
        "title": "Vorname(n)", "type": "string", "format": "name", "minLength": 1, "maxLength": 80,
        "x-fim-id": "F60000228", "x-fim-version": "1.1"}
    assert prop(definition, "antragsteller.geburtsdatum")["format"] == "date"
    assert prop(definition, "anschrift.postleitzahl")["pattern"] == "^(?:[0-9]{5})$"
    assert prop(definition, "anschrift.postleitzahl")["format"] == "postal-code-de"
    assert prop(definition, "anschrift.hausnummer")["format"] == "house-number-de"
    assert "format" not in prop(definition, "anschrift.ort")


def test_select_takes_its_choices_from_the_genericode_file_next_to_it() -> None:
    zweck = prop(melde(), "zweck")
    assert zweck["type"] == "string"
    assert zweck["title"] == "Wofür brauchen Sie die Bescheinigung?"
    assert zweck["oneOf"] == [
        {"const": "01", "title": "Arbeitgeber"},
        {"const": "02", "title": "Bank oder Versicherung"},
        {"const": "03", "title": "Andere Behörde"},
        {"const": "99", "title": "Etwas anderes"},
    ]


def test_static_text_is_left_out_and_said() -> None:
    notes: list[str] = []
    definition = melde(notes=notes)
    assert "hinweis_gebuehr" not in definition["schema"]["properties"]
    assert notes == ["S00000092V1.2_xdf2.xml, line 384: F00000611 'Hinweis Gebühr': static text "
                     "(feldart label) is not shown; left out"]


def test_arguments_override_id_prefix_and_office() -> None:
    definition = melde(service_id="melde_bescheinigung", reference_prefix="MB", office="Einwohnermeldeamt")
    assert (definition["id"], definition["reference_prefix"], definition["office"]) == (
        "melde_bescheinigung", "MB", "Einwohnermeldeamt")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"service_id": "Melde Bescheinigung"}, "service id 'Melde Bescheinigung'"),
    ({"reference_prefix": "mb"}, "reference prefix 'mb': use 2 or 3 capital letters"),
    ({"reference_prefix": "MBXX"}, "reference prefix 'MBXX'"),
])
def test_bad_arguments_are_named(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(XdfError, match=message):
        melde(**kwargs)


# -- Hundesteuer: nested group, numbers, yes/no, optional, repeated, rule, attachment -----------

def test_nested_group_is_a_nested_object_on_the_same_page() -> None:
    definition = hund()
    assert [s["id"] for s in definition["steps"]] == ["halter", "hund", "angaben"]
    anschrift = prop(definition, "halter.anschrift")
    assert anschrift["type"] == "object" and anschrift["required"] == ["strasse", "hausnummer", "postleitzahl", "ort"]
    assert prop(definition, "halter")["required"] == ["vorname", "familienname", "anschrift"]
    assert [f["field"] for f in page(definition, "halter")["fields"]][-4:] == [
        "halter.anschrift.strasse", "halter.anschrift.hausnummer",
        "halter.anschrift.postleitzahl", "halter.anschrift.ort"]


def test_datentypen_map_to_json_schema_types() -> None:
    definition = hund()
    assert prop(definition, "hund.gefaehrlicher_hund")["type"] == "boolean"
    assert {k: v for k, v in prop(definition, "hund.anzahl_hunde_im_haushalt").items()
            if k in ("type", "minimum", "maximum")} == {"type": "integer", "minimum": 1, "maximum": 20}
    gewicht = prop(definition, "hund.gewicht")
    assert (gewicht["type"], gewicht["minimum"], gewicht["maximum"]) == ("number", 0.5, 120)
    kaufpreis = prop(definition, "hund.kaufpreis")
    assert (kaufpreis["type"], kaufpreis["minimum"]) == ("number", 0)
    mail = prop(definition, "halter.e_mail_adresse")
    assert (mail["format"], mail["maxLength"], mail["pattern"]) == (
        "email", 254, r"^(?:[^@\s]+@[^@\s]+\.[a-z]{2,})$")


def test_multiplicity_decides_required() -> None:
    definition = hund()
    assert prop(definition, "hund")["required"] == [
        "name", "datum_2", "gefaehrlicher_hund", "anzahl_hunde_im_haushalt"]  # 1:1 only
    assert definition["schema"]["required"] == ["halter", "hund", "bestaetigung"]


def test_same_name_twice_gets_a_numbered_key() -> None:
    definition = hund()
    assert prop(definition, "hund.datum")["title"] == "Wann wurde der Hund geboren?"
    assert prop(definition, "hund.datum_2")["title"] == "Seit wann halten Sie den Hund?"
    assert (prop(definition, "hund.datum")["x-fim-id"], prop(definition, "hund.datum_2")["x-fim-id"]) == (
        "F00000721", "F00000722")


def test_repeatable_select_is_a_multiple_choice() -> None:
    definition = hund()
    befreiung = prop(definition, "steuerbefreiung")
    assert befreiung["type"] == "array" and befreiung["uniqueItems"] is True
    assert befreiung["items"]["oneOf"][0] == {"const": "1", "title": "Blindenführhund oder Assistenzhund"}
    assert "minItems" not in befreiung and "maxItems" not in befreiung  # 0:*
    assert page(definition, "angaben")["fields"][0]["example"] == ["1"]


def test_what_does_not_fit_is_said_in_notes() -> None:
    notes: list[str] = []
    definition = hund(notes=notes)
    assert "nachweis_haftpflichtversicherung" not in prop(definition, "hund")["properties"]
    assert notes == [
        "S00000117V1.0_xdf2.xml, line 30: R00000740 'Haltungsbeginn nach Geburt': rules (xdf:regel) "
        "are not converted; check them by hand",
        "S00000117V1.0_xdf2.xml, line 144: F60000240 'Telefon': may be given several times "
        "(anzahl 0:3); the terminal asks for one value",
        "S00000117V1.0_xdf2.xml, line 698: F00000728 'Nachweis Haftpflichtversicherung': optional "
        "attachment (datentyp file) left out: attachments are not supported yet",
    ]
    assert prop(definition, "halter.telefon")["type"] == "string"  # one value, not a list


def test_examples_per_type() -> None:
    examples = {f["field"]: f["example"] for s in hund()["steps"] for f in s["fields"]}
    assert examples["hund.name"] == "Beispiel"
    assert examples["hund.datum_2"] == "01.01.2000"
    assert examples["hund.rasse"] == "MIX"
    assert examples["hund.gefaehrlicher_hund"] is False
    assert examples["hund.anzahl_hunde_im_haushalt"] == "1"
    assert examples["halter.telefon"] == "0221 12345678"


def test_genericode_columns_by_key_position_and_order() -> None:
    rasse = read_genericode(HUND_LISTS[0])  # no codeKey: first key is the code, next column the name
    assert rasse.urn == "urn:de:musterstadt:codeliste:hunderasse" and rasse.version == "2023-07-01"
    assert rasse.entries == (("MIX", "Mischling"), ("DSH", "Deutscher Schäferhund"),
                             ("DAC", "Dackel"), ("AND", "Andere Rasse"))
    befreiung = read_genericode(HUND_LISTS[1])  # qualified children
    assert befreiung.version_urn == "urn:de:musterstadt:codeliste:hundesteuer.befreiung_2024-01-01"
    assert [code for code, _ in befreiung.entries] == ["1", "2", "3"]


# -- every sample: valid schema, valid examples, YAML round trip -------------------------------

SAMPLES = {"meldebescheinigung": melde, "hundesteuer": hund}


@pytest.mark.parametrize("name", SAMPLES)
def test_schema_is_json_schema_2020_12(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(SAMPLES[name]()["schema"])


@pytest.mark.parametrize("name", SAMPLES)
def test_every_example_is_valid_data(name: str) -> None:
    definition = SAMPLES[name]()
    data = example_data(definition)
    jsonschema.Draft202012Validator(definition["schema"]).validate(data)


@pytest.mark.parametrize("name", SAMPLES)
def test_every_required_field_is_on_a_page_and_every_leaf_has_a_title(name: str) -> None:
    definition = SAMPLES[name]()
    on_pages = {f["field"] for s in definition["steps"] for f in s["fields"]}
    assert required_leaves(definition["schema"]) <= on_pages
    assert set(all_leaves(definition["schema"])) == on_pages
    assert all(leaf.get("title") for leaf in all_leaves(definition["schema"]).values())


@pytest.mark.parametrize("name", SAMPLES)
def test_yaml_round_trips_with_umlauts_and_readme_order(name: str) -> None:
    definition = SAMPLES[name]()
    text = to_yaml(definition)
    assert yaml.safe_load(text) == definition
    assert "Straße" in text and "\\x" not in text and "\\u" not in text
    assert [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")] == README_KEYS


def test_yaml_comment_goes_on_top() -> None:
    text = to_yaml(melde(), comment="Aus S00000092 V1.2 importiert.\nBitte prüfen.")
    assert text.startswith("# Aus S00000092 V1.2 importiert.\n# Bitte prüfen.\nid: meldebescheinigung\n")


def test_slug() -> None:
    assert slug("Straße und Hausnummer (Inland)") == "strasse_und_hausnummer_inland"
    assert slug("Größe ÄÖÜ café", "-") == "groesse-aeoeue-cafe"


# -- broken files: the operator learns the file, the place and the reason ----------------------

def test_not_xdf() -> None:
    with pytest.raises(XdfError) as caught:
        import_xdf(NOT_XDF)
    message = str(caught.value)
    assert message.startswith(f"{NOT_XDF}, line 3 <formular>: not an XDatenfelder 2.0 Stammdatenschema")
    assert "urn:example:formulare:1.0" in message


def test_missing_code_list_is_named() -> None:
    with pytest.raises(XdfError) as caught:
        import_xdf(NO_LIST)
    assert str(caught.value) == (
        f"{NO_LIST}, line 340 <datenfeld>: F00000610 'Zweck' needs code list "
        "urn:de:musterstadt:codeliste:familienstand version 2023-05-01 (C00000140), which was not "
        "given: put its Genericode file next to S00000093V1.0_fehlende_codeliste_xdf2.xml or name it "
        "with --codelist FILE (code lists seen: none found)")


def test_code_list_must_be_given_when_not_beside_the_file() -> None:
    with pytest.raises(XdfError, match="'Rasse' needs code list urn:de:musterstadt:codeliste:hunderasse"):
        import_xdf(HUND)


# Small XDF 2.0 documents for the edge cases.

def xdf(*strukturen: str, schema_id: str = "S99000001") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
  <xdf:header><xdf:nachrichtID>t</xdf:nachrichtID>
    <xdf:erstellungszeitpunkt>2024-01-01T00:00:00Z</xdf:erstellungszeitpunkt></xdf:header>
  <xdf:stammdatenschema>
    <xdf:identifikation><xdf:id>{schema_id}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
    <xdf:name>Testantrag</xdf:name>
    <xdf:definition>Ein Antrag für die Tests.</xdf:definition>
    {''.join(strukturen)}
  </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>
"""


def feld(name: str = "Feld", feldart: str = "input", datentyp: str = "text", praezisierung: str = "",
         anzahl: str = "1:1", extra: str = "") -> str:
    return f"""<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeld>
      <xdf:identifikation><xdf:id>F99000001</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
      <xdf:name>{name}</xdf:name>
      <xdf:feldart><code>{feldart}</code></xdf:feldart>
      <xdf:datentyp><code>{datentyp}</code></xdf:datentyp>
      <xdf:praezisierung>{praezisierung}</xdf:praezisierung>{extra}
    </xdf:datenfeld></xdf:enthaelt></xdf:struktur>"""


def gruppe(name: str, *felder: str, anzahl: str = "1:1") -> str:
    return f"""<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:enthaelt><xdf:datenfeldgruppe>
      <xdf:identifikation><xdf:id>G99000001</xdf:id></xdf:identifikation>
      <xdf:name>{name}</xdf:name>{''.join(felder)}
    </xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>"""


REF = """<xdf:codelisteReferenz><xdf:identifikation><xdf:id>C99000001</xdf:id></xdf:identifikation>
  <xdf:genericodeIdentification><xdf:canonicalIdentification>urn:test:liste</xdf:canonicalIdentification>
  <xdf:version>2</xdf:version><xdf:canonicalVersionUri>urn:test:liste_2</xdf:canonicalVersionUri>
  </xdf:genericodeIdentification></xdf:codelisteReferenz>"""


def genericode(version: str, *codes: str) -> str:
    rows = "".join(f"<Row><Value ColumnRef='c'><SimpleValue>{c}</SimpleValue></Value>"
                   f"<Value ColumnRef='n'><SimpleValue>Name {c}</SimpleValue></Value></Row>" for c in codes)
    return f"""<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/">
  <Identification><ShortName>T</ShortName><Version>{version}</Version>
    <CanonicalUri>urn:test:liste</CanonicalUri><CanonicalVersionUri>urn:test:liste_{version}</CanonicalVersionUri>
  </Identification>
  <ColumnSet><Column Id="c"/><Column Id="n"/>
    <Key Id="codeKey"><ColumnRef Ref="c"/></Key><Key Id="codenameKey"><ColumnRef Ref="n"/></Key></ColumnSet>
  <SimpleCodeList>{rows}</SimpleCodeList>
</gc:CodeList>"""


def write(folder: Path, text: str, name: str = "antrag_xdf2.xml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, **kwargs: Any) -> str:
    with pytest.raises(XdfError) as caught:
        import_xdf(path, **kwargs)
    assert str(caught.value).startswith(str(path))
    return str(caught.value)


def test_malformed_xml_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, xdf(feld()).replace("</xdf:name>", "</xdf:nam>", 1))
    assert error_of(path) == f"{path}, line 7, column 27: not well-formed XML (mismatched tag)"


def test_entities_are_refused(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    assert "refused: the file uses a DTD, entities or external references" in error_of(write(tmp_path, bomb))


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot read the file" in error_of(tmp_path / "fehlt.xml")


def test_xdatenfelder_3_is_recognised(tmp_path: Path) -> None:
    text = xdf(feld()).replace("urn:xoev-de:fim:standard:xdatenfelder_2", "urn:xoev-de:fim:standard:xdatenfelder_3.0.0")
    assert "this is XDatenfelder 3, which is not supported" in error_of(write(tmp_path, text))


def test_other_xdatenfelder_message(tmp_path: Path) -> None:
    text = xdf(feld()).replace("xdatenfelder.stammdatenschema.0102", "xdatenfelder.datenfeldgruppe.0103")
    assert "an XDatenfelder 2.0 message of type xdatenfelder.datenfeldgruppe.0103, not a Stammdatenschema" \
        in error_of(write(tmp_path, text))


def test_bad_anzahl(tmp_path: Path) -> None:
    path = write(tmp_path, xdf(feld(anzahl="1:x")))
    assert error_of(path) == (f"{path}, line 9 <anzahl>: anzahl '1:x' is not of the form min:max "
                              "(e.g. 1:1, 0:1, 0:*)")


def test_required_attachment_is_not_supported(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, xdf(feld("Nachweis", datentyp="file"))))
    assert "line 9 <datenfeld>: F99000001 'Nachweis' is a required attachment (datentyp file); " \
           "attachments are not supported yet" in message


@pytest.mark.parametrize(("field", "reason"), [
    (feld(feldart="hidden"), "feldart 'hidden' is unknown"),
    (feld(datentyp="time"), "datentyp 'time' is unknown"),
    (feld(feldart="select"), "'Feld' is a select field without <xdf:codelisteReferenz>"),
    (feld(praezisierung='{"maxLength":"zehn"}'), "praezisierung maxLength 'zehn' is not a whole number"),
    (feld(praezisierung='{"minLength":"9","maxLength":"3"}'), "minLength 9 > maxLength 3"),
    (feld(datentyp="num_int", praezisierung='{"minValue":"1.5"}'), "minValue '1.5' is not a whole number"),
    (feld(praezisierung=r'{"pattern":"\\p{L}+"}'), "is not a regular expression the terminal understands"),
    (feld(praezisierung='{"minLength":"5","pattern":"[0-9]{3}"}'), "cannot make an example that fits"),
])
def test_unsupported_or_contradictory_fields(tmp_path: Path, field: str, reason: str) -> None:
    message = error_of(write(tmp_path, xdf(field)))
    assert "line 9 <datenfeld>: F99000001" in message and reason in message


def test_example_is_made_from_a_pattern(tmp_path: Path) -> None:
    definition = import_xdf(write(tmp_path, xdf(feld("Kennzeichen", praezisierung='{"pattern":"[A-Z]{2}-[0-9]{4}"}'))))
    assert definition["steps"][0]["fields"][0]["example"] == "AA-0000"


def test_text_example_fits_lengths(tmp_path: Path) -> None:
    definition = import_xdf(write(tmp_path, xdf(feld("Kurz", praezisierung='{"maxLength":"3"}'),
                                                 feld("Lang", praezisierung='{"minLength":"12"}'))))
    assert [f["example"] for f in definition["steps"][0]["fields"]] == ["Bei", "Beispielxxxx"]


def test_unreadable_praezisierung_is_said_not_fatal(tmp_path: Path) -> None:
    notes: list[str] = []
    definition = import_xdf(write(tmp_path, xdf(feld(praezisierung="max. 50 Zeichen"))), notes=notes)
    assert definition["schema"]["properties"]["feld"] == {
        "title": "Feld", "type": "string", "x-fim-id": "F99000001", "x-fim-version": "1.0"}
    assert notes == ["antrag_xdf2.xml, line 9: F99000001 'Feld': praezisierung 'max. 50 Zeichen' is "
                     "not a JSON object; ignored"]


def test_code_list_with_another_version_is_refused(tmp_path: Path) -> None:
    write(tmp_path, genericode("1", "a", "b"), "liste_genericode.xml")
    with pytest.raises(XdfError) as caught:
        import_xdf(write(tmp_path, xdf(feld(feldart="select", extra=REF))))
    assert str(caught.value) == (f"{tmp_path / 'liste_genericode.xml'}: code list urn:test:liste has "
                                 "version 1, but urn:test:liste version 2 (C99000001) is referenced; "
                                 "give the referenced version")


def test_named_code_list_wins_and_duplicates_are_refused(tmp_path: Path) -> None:
    write(tmp_path, genericode("2", "x"), "daneben.xml")
    given = write(tmp_path / "..", genericode("2", "a", "b"), "named_genericode.xml")
    path = write(tmp_path, xdf(feld(feldart="select", anzahl="1:2", extra=REF)))
    choice = import_xdf(path, codelists=[given])["schema"]["properties"]["feld"]
    assert (choice["minItems"], choice["maxItems"], choice["items"]["oneOf"][1]) == (
        1, 2, {"const": "b", "title": "Name b"})
    doubled = write(tmp_path / "..", genericode("2", "a", "a"), "doubled_genericode.xml")
    with pytest.raises(XdfError, match=f"^{doubled}: code a appears more than once$"):
        import_xdf(path, codelists=[doubled])


def test_a_named_file_that_is_no_code_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(XdfError, match=r"kein_xdf.xml, line 3 <formular>: not a Genericode 1.0 code list"):
        import_xdf(MELDE, codelists=[NOT_XDF])


def test_groups_optional_repeated_and_keys_that_need_care(tmp_path: Path) -> None:
    notes: list[str] = []
    text = xdf(feld("Erste Angabe"),
               gruppe("Angaben", feld("Vorname")),
               gruppe("Kinder", feld("Vorname"), anzahl="0:*"),
               gruppe("Nur Text", feld("Hinweis", feldart="label")),
               feld("2. Wohnsitz vorhanden", datentyp="bool"),
               feld("Bezeichnung der zuständigen Stelle für die Ausstellung des Nachweises", anzahl="0:1"))
    definition = import_xdf(write(tmp_path, text), notes=notes)
    schema = definition["schema"]
    assert list(schema["properties"]) == ["erste_angabe", "angaben", "kinder", "feld_2_wohnsitz_vorhanden",
                                          "bezeichnung_der_zustaendigen_stelle_fuer"]
    assert schema["required"] == ["erste_angabe", "angaben", "feld_2_wohnsitz_vorhanden"]
    assert schema["properties"]["kinder"]["required"] == ["vorname"]  # inside the optional group
    # The loose page sits where its first field is and steps aside for the group 'Angaben'.
    assert [s["id"] for s in definition["steps"]] == ["angaben_2", "angaben", "kinder"]
    assert [f["field"] for f in definition["steps"][0]["fields"]] == [
        "erste_angabe", "feld_2_wohnsitz_vorhanden", "bezeichnung_der_zustaendigen_stelle_fuer"]
    assert [n.split(": ", 1)[1] for n in notes] == [
        "G99000001 'Kinder': the group may be given several times (anzahl 0:*); the terminal asks for it once",
        "F99000001 'Hinweis': static text (feldart label) is not shown; left out",
        "G99000001 'Nur Text': the group holds nothing the terminal can ask; left out",
    ]


def test_missing_summary_falls_back_to_the_title(tmp_path: Path) -> None:
    notes: list[str] = []
    text = xdf(feld()).replace("<xdf:definition>Ein Antrag für die Tests.</xdf:definition>", "")
    assert import_xdf(write(tmp_path, text), notes=notes)["summary"] == "Testantrag"
    assert notes == ["antrag_xdf2.xml, line 5: S99000001 'Testantrag': no beschreibung or definition: "
                     "the summary repeats the title; write one plain sentence"]


def test_schema_without_askable_fields(tmp_path: Path) -> None:
    assert "holds no field the terminal can ask" in error_of(write(tmp_path, xdf(feld(feldart="label"))))
