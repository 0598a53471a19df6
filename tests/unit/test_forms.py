"""Service definitions: loading and checking them, answers → data, validation, messages, examples.

The real service (config/services/meldebescheinigung.yaml) is loaded as the terminal loads it;
the rules are tried on small services built here with `parse_service`, each with only what the
rule needs. Validation is always run with a fixed `today`; the examples of a definition are
checked at load time against the real today, so examples of date rules here are relative
("today+14").
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from kiosk.config import REPO_ROOT
from kiosk.forms.answers import asked, example_answers, shown_fields, shown_value, step_shown, to_data
from kiosk.forms.service import (DeclaredStep, FormStep, Service, ServiceError, load_catalogue, load_service,
                                 parse_service, service_file)
from kiosk.forms.validation import FALLBACK, MESSAGES, FieldProblem, message, page_problems, validate
from kiosk.i18n import tr, translated, ts

SERVICES = REPO_ROOT / "config" / "services"
MELDE = SERVICES / "meldebescheinigung.yaml"
TODAY = dt.date(2025, 6, 15)


def melde_raw() -> dict[str, Any]:
    """The real definition as parsed from its file, to be changed by a test."""
    return yaml.safe_load(MELDE.read_text(encoding="utf-8"))


def make(properties: dict[str, Any], *steps: dict[str, Any], required: tuple[str, ...] = (),
         **schema: Any) -> Service:
    """A small service: these schema properties, these pages."""
    raw = {"id": "test", "reference_prefix": "TS", "title": "Test", "summary": "Zum Testen.", "office": "Amt",
           "schema": {"type": "object", "properties": properties, "required": list(required), **schema},
           "steps": list(steps)}
    return parse_service(raw, "test")


def page(step_id: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "title": step_id.capitalize(), "fields": list(fields), **extra}


def ask(path: str, example: Any, **extra: Any) -> dict[str, Any]:
    return {"field": path, "example": example, **extra}


def text(title: str, **rules: Any) -> dict[str, Any]:
    return {"type": "string", "title": title, **rules}


def one_field(rules: dict[str, Any], example: Any, required: bool = True) -> Service:
    """A service asking one field `f` with these schema rules."""
    return make({"f": {"title": "Feld", **rules}}, page("seite", ask("f", example)),
                required=("f",) if required else ())


def problems(service: Service, answers: dict[str, Any], today: dt.date = TODAY) -> dict[str, FieldProblem]:
    return {p.field: p for p in validate(service, to_data(service, answers), today)}


def codes(service: Service, answers: dict[str, Any], today: dt.date = TODAY) -> dict[str, str]:
    return {path: p.code for path, p in problems(service, answers, today).items()}


# -- the real service ------------------------------------------------------------------------

def test_meldebescheinigung_loads_with_three_form_pages() -> None:
    service = load_service(MELDE)
    assert (service.id, service.reference_prefix, service.title) == \
        ("meldebescheinigung", "MB", "Meldebescheinigung beantragen")
    assert service.needs.fee is not None and service.needs.fee.amount_eur == 10.0
    assert all(isinstance(step, FormStep) for step in service.steps)
    assert [step.id for step in service.steps] == ["person", "anschrift", "zweck"]
    assert [f.path for f in service.fields()] == [
        "vorname", "familienname", "geburtsdatum", "anschrift.strasse", "anschrift.hausnummer", "anschrift.plz",
        "anschrift.ort", "zweck", "zustellung"]
    assert all(f.required for f in service.fields())
    assert [f.path for f in service.page_fields(service.steps[1])] == \
        ["anschrift.strasse", "anschrift.hausnummer", "anschrift.plz", "anschrift.ort"]


def test_meldebescheinigung_fields_join_page_hints_and_schema_rules() -> None:
    service, raw = load_service(MELDE), melde_raw()
    vorname = service.field("vorname")
    assert (vorname.label, vorname.kind, vorname.format, vorname.max_length, vorname.capitalise) == \
        ("Vorname(n)", "text", "name", 80, True)
    assert vorname.help == raw["steps"][0]["fields"][0]["help"] and vorname.keyboard == "text"
    assert service.field("anschrift.ort").label == raw["schema"]["properties"]["anschrift"]["properties"]["ort"]["title"]
    born = service.field("geburtsdatum")
    assert (born.kind, born.keyboard, born.capitalise) == ("date", "numeric", False)
    assert (service.field("anschrift.plz").keyboard, service.field("anschrift.strasse").capitalise) == ("numeric", True)
    zweck = service.field("zweck")
    assert zweck.kind == "choice"
    assert [(c.value, c.label) for c in zweck.choices] == [
        ("arbeitgeber", "Arbeitgeber"), ("bank", "Bank oder Versicherung"), ("behoerde", "Andere Behörde"),
        ("sonstiges", "Etwas anderes")]
    assert [c.value for c in service.field("zustellung").choices] == ["post", "abholung"]


def test_meldebescheinigung_examples_are_valid_data() -> None:
    service = load_service(MELDE)
    answers = example_answers(service, TODAY)
    assert answers["geburtsdatum"] == "12.08.1964"  # as a citizen types it
    data = to_data(service, answers)
    assert data == {"vorname": "Erika", "familienname": "Mustermann-Öztürk", "geburtsdatum": "1964-08-12",
                    "anschrift": {"strasse": "Heidestraße", "hausnummer": "17a", "plz": "51147", "ort": "Köln"},
                    "zweck": "arbeitgeber", "zustellung": "post"}
    assert validate(service, data, TODAY) == []


def test_texts_for_the_translators_hold_every_text_a_citizen_sees() -> None:
    raw = melde_raw()
    texts = load_service(MELDE).texts()
    expected = [raw["title"], raw["summary"], raw["office"], raw["needs"]["fee"]["note"]]
    for step in raw["steps"]:
        expected += [step["title"], step.get("instruction", "")] + [f.get("help", "") for f in step["fields"]]
    properties = raw["schema"]["properties"]
    expected += [p["title"] for name, p in properties.items() if name != "anschrift"]
    expected += [p["title"] for p in properties["anschrift"]["properties"].values()]
    expected += [c["title"] for name in ("zweck", "zustellung") for c in properties[name]["oneOf"]]
    assert set(texts) == {t for t in expected if t}
    assert len(texts) == len(set(texts)) and "" not in texts


def test_every_definition_in_the_services_folder_loads() -> None:
    files = sorted(p for p in SERVICES.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    assert MELDE in files
    prefixes = [load_service(path).reference_prefix for path in files]
    assert len(prefixes) == len(set(prefixes)), "two services share a reference prefix"


# -- loading files ---------------------------------------------------------------------------

def test_json_and_yaml_definitions_load_alike(tmp_path: Path) -> None:
    path = tmp_path / "meldebescheinigung.json"
    path.write_text(json.dumps(melde_raw(), ensure_ascii=False), encoding="utf-8")
    assert service_file(tmp_path, "meldebescheinigung") == path
    from_json, from_yaml = load_service(path), load_service(MELDE)
    assert from_json.fields() == from_yaml.fields()
    assert from_json.steps == from_yaml.steps and from_json.data_schema == from_yaml.data_schema


def test_service_file_prefers_yaml_and_names_a_yaml_file_when_there_is_none(tmp_path: Path) -> None:
    assert service_file(tmp_path, "hundeanmeldung") == tmp_path / "hundeanmeldung.yaml"
    (tmp_path / "hundeanmeldung.json").write_text("{}", encoding="utf-8")
    (tmp_path / "hundeanmeldung.yaml").write_text("{}", encoding="utf-8")
    assert service_file(tmp_path, "hundeanmeldung") == tmp_path / "hundeanmeldung.yaml"


def service_error(path: Path) -> str:
    with pytest.raises(ServiceError) as info:
        load_service(path)
    message_ = str(info.value)
    assert str(path) in message_, "the message names the file"
    return message_


def broken(tmp_path: Path, change: Callable[[dict[str, Any]], object], name: str = "meldebescheinigung.yaml") -> str:
    """The message for the real definition with one change, written as YAML."""
    raw = melde_raw()
    change(raw)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return service_error(path)


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "meldebescheinigung.yaml"
    path.write_text(MELDE.read_text(encoding="utf-8").replace("steps:\n", "steps: [\n", 1), encoding="utf-8")
    assert "not valid YAML" in service_error(path)


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "meldebescheinigung.json"
    path.write_text(json.dumps(melde_raw(), ensure_ascii=False)[:-1], encoding="utf-8")
    assert "not valid JSON" in service_error(path)


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "meldebescheinigung.yaml"
    path.write_text("- id: meldebescheinigung\n", encoding="utf-8")
    assert "expected a mapping" in service_error(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "meldebescheinigung.yaml"
    path.write_bytes(MELDE.read_text(encoding="utf-8").encode("cp1252", errors="replace"))  # "ü" as one byte
    assert "cannot be read" in service_error(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in service_error(tmp_path / "meldebescheinigung.yaml")


def test_missing_title(tmp_path: Path) -> None:
    assert "title: Field required" in broken(tmp_path, lambda raw: raw.pop("title"))


def test_unknown_top_level_key(tmp_path: Path) -> None:
    assert "farbe" in broken(tmp_path, lambda raw: raw.update(farbe="rot"))


def test_page_asks_for_a_property_the_schema_does_not_have(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["steps"][0]["fields"].append(ask("spitzname", "Eri")))
    assert "field spitzname: no property 'spitzname' in the schema" in message_


def test_page_asks_for_a_nested_property_the_schema_does_not_have(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["steps"][1]["fields"].append(ask("anschrift.zusatz", "Hinterhaus")))
    assert "field anschrift.zusatz: no property 'zusatz'" in message_


def test_schema_property_without_a_title(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["schema"]["properties"]["vorname"].pop("title"))
    assert "field vorname" in message_ and "'title'" in message_


def test_required_field_on_no_page(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["steps"][2]["fields"].pop())
    assert "required in the schema but on no page: zustellung" in message_


def test_required_nested_field_on_no_page(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["steps"][1]["fields"].pop(2))
    assert "on no page: anschrift.plz" in message_


def test_field_on_two_pages(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["steps"][2]["fields"].append(ask("vorname", "Erika")))
    assert "field vorname is on more than one page" in message_


def test_repeated_step_id(tmp_path: Path) -> None:
    assert "step ids must be unique" in broken(tmp_path, lambda raw: raw["steps"][1].update(id="person"))


def test_show_when_pointing_at_a_later_page(tmp_path: Path) -> None:
    condition = {"field": "zustellung", "equals": "post"}
    message_ = broken(tmp_path, lambda raw: raw["steps"][1]["fields"][0].update(show_when=condition))
    assert "field anschrift.strasse: show_when refers to 'zustellung', which is not on an earlier page" in message_


def test_show_when_pointing_at_the_same_page(tmp_path: Path) -> None:
    condition = {"field": "zweck", "equals": "bank"}
    message_ = broken(tmp_path, lambda raw: raw["steps"][2]["fields"][1].update(show_when=condition))
    assert "field zustellung: show_when refers to 'zweck'" in message_


def test_step_show_when_pointing_at_a_later_page(tmp_path: Path) -> None:
    condition = {"field": "zustellung", "equals": "post"}
    message_ = broken(tmp_path, lambda raw: raw["steps"][1].update(show_when=condition))
    assert "step anschrift: show_when refers to 'zustellung', which is not on an earlier page" in message_


def test_invalid_json_schema(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["schema"]["properties"]["vorname"].update(maxLength="achtzig"))
    assert "schema: 'achtzig' is not of type 'integer'" in message_


def test_choice_without_a_title(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["schema"]["properties"]["zweck"]["oneOf"][0].pop("title"))
    assert "field zweck: every oneOf entry needs 'const' and 'title'" in message_


def test_example_answer_that_breaks_the_rules(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["steps"][1]["fields"][2].update(example="5114"))
    assert "example answers are not valid: anschrift.plz: postal-code-de" in message_


def test_example_choice_that_is_not_a_choice(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw["steps"][2]["fields"][0].update(example="urlaub"))
    assert "example answers are not valid: zweck: choice" in message_


def test_declared_step_must_say_what_to_do_instead(tmp_path: Path) -> None:
    step = {"id": "ausweis", "kind": "eid", "title": "Ausweisen"}
    assert "instead: Field required" in broken(tmp_path, lambda raw: raw["steps"].append(step))


def test_unknown_step_kind(tmp_path: Path) -> None:
    step = {"id": "video", "kind": "video", "title": "Video", "instead": "Kommen Sie vorbei."}
    message_ = broken(tmp_path, lambda raw: raw["steps"].append(step))
    assert "'video'" in message_ and "'eid'" in message_


def test_id_other_than_the_file_name(tmp_path: Path) -> None:
    message_ = broken(tmp_path, lambda raw: raw.update(id="wohnsitz"))
    assert "declares id 'wohnsitz', but the file is named 'meldebescheinigung.yaml'" in message_


# -- the catalogue ---------------------------------------------------------------------------

def write_service(directory: Path, service_id: str, prefix: str, suffix: str = ".yaml") -> Path:
    raw = melde_raw()
    raw.update(id=service_id, reference_prefix=prefix)
    path = directory / f"{service_id}{suffix}"
    text_ = json.dumps(raw, ensure_ascii=False) if suffix == ".json" else yaml.safe_dump(raw, allow_unicode=True)
    path.write_text(text_, encoding="utf-8")
    return path


def test_catalogue_loads_offered_services_in_order() -> None:
    catalogue = load_catalogue(SERVICES, ("meldebescheinigung",))
    assert [s.id for s in catalogue.services] == ["meldebescheinigung"]
    assert catalogue.broken == ()


def test_catalogue_leaves_out_broken_and_missing_services_and_keeps_the_others(tmp_path: Path) -> None:
    write_service(tmp_path, "meldebescheinigung", "MB")
    write_service(tmp_path, "hundeanmeldung", "HU", ".json")
    (tmp_path / "kaputt.yaml").write_text("id: kaputt\ntitle: [\n", encoding="utf-8")
    catalogue = load_catalogue(tmp_path, ("kaputt", "hundeanmeldung", "gewerbeanmeldung", "meldebescheinigung"))
    assert [s.id for s in catalogue.services] == ["hundeanmeldung", "meldebescheinigung"]
    assert len(catalogue.broken) == 2
    assert catalogue.broken[0].startswith(f"{tmp_path / 'kaputt.yaml'}: not valid YAML")
    assert catalogue.broken[1] == f"{tmp_path / 'gewerbeanmeldung.yaml'}: service definition not found"


def test_catalogue_leaves_out_a_file_declaring_another_id(tmp_path: Path) -> None:
    write_service(tmp_path, "meldebescheinigung", "MB").rename(tmp_path / "wohnsitz.yaml")
    catalogue = load_catalogue(tmp_path, ("wohnsitz",))
    assert catalogue.services == ()
    assert str(tmp_path / "wohnsitz.yaml") in catalogue.broken[0] and "'meldebescheinigung'" in catalogue.broken[0]


def test_catalogue_leaves_out_a_service_repeating_a_reference_prefix(tmp_path: Path) -> None:
    write_service(tmp_path, "meldebescheinigung", "MB")
    write_service(tmp_path, "ummeldung", "MB")
    write_service(tmp_path, "hundeanmeldung", "HU")
    catalogue = load_catalogue(tmp_path, ("meldebescheinigung", "ummeldung", "hundeanmeldung"))
    assert [s.id for s in catalogue.services] == ["meldebescheinigung", "hundeanmeldung"]
    assert catalogue.broken == (f"{tmp_path / 'ummeldung.yaml'}: reference_prefix 'MB' is already used by "
                                f"'meldebescheinigung'",)


# -- answers → data --------------------------------------------------------------------------

CONVERSIONS = make(
    {"geboren": text("Geboren", format="date"),
     "plz": text("PLZ", format="postal-code-de"),
     "iban": text("IBAN", format="iban"),
     "name": text("Name", format="name"),
     "hund": {"type": "boolean", "title": "Haben Sie einen Hund?"},
     "katze": {"type": "boolean", "title": "Haben Sie eine Katze?"},
     "anzahl": {"type": "integer", "title": "Wie viele?"},
     "farben": {"type": "array", "title": "Farben",
                "items": {"oneOf": [{"const": "rot", "title": "Rot"}, {"const": "gelb", "title": "Gelb"},
                                    {"const": "blau", "title": "Blau"}]}}},
    page("eins", ask("geboren", "12.08.1964"), ask("plz", "51147"), ask("iban", "DE89 3704 0044 0532 0130 00"),
         ask("name", "Erika"), ask("hund", True), ask("katze", False), ask("anzahl", 2), ask("farben", ["rot"])))


@pytest.mark.parametrize(("typed", "iso"), [("12.08.1964", "1964-08-12"), ("1.2.1950", "1950-02-01"),
                                            ("29.02.2024", "2024-02-29"), (" 01.02.1950 ", "1950-02-01")])
def test_german_dates_become_iso_dates(typed: str, iso: str) -> None:
    assert to_data(CONVERSIONS, {"geboren": typed}) == {"geboren": iso}


def test_a_date_that_does_not_exist_is_kept_as_typed_so_the_rule_says_why() -> None:
    assert to_data(CONVERSIONS, {"geboren": "31.02.1950"}) == {"geboren": "31.02.1950"}
    assert codes(CONVERSIONS, {"geboren": "31.02.1950"}) == {"geboren": "date"}


def test_postcode_spaces_are_removed() -> None:
    assert to_data(CONVERSIONS, {"plz": " 51 147 "}) == {"plz": "51147"}


def test_iban_is_compacted() -> None:
    assert to_data(CONVERSIONS, {"iban": "de89 3704 0044 0532 0130 00"}) == {"iban": "DE89370400440532013000"}


def test_text_is_tidied_and_unicode_normalised() -> None:
    decomposed = "Mu\u0308ller"  # u + combining diaeresis, as some keyboards send it
    assert to_data(CONVERSIONS, {"name": f"  Erika   {decomposed} "}) == {"name": "Erika Müller"}


def test_yes_and_no_are_booleans_and_no_is_kept() -> None:
    assert to_data(CONVERSIONS, {"hund": True, "katze": False}) == {"hund": True, "katze": False}


def test_several_choices_are_a_list_and_numbers_are_numbers() -> None:
    assert to_data(CONVERSIONS, {"farben": ["rot", "blau"], "anzahl": "3"}) == {"farben": ["rot", "blau"], "anzahl": 3}


@pytest.mark.parametrize("empty", ["", "   ", "\t\n", []])
def test_empty_answers_are_left_out(empty: object) -> None:
    path = "farben" if isinstance(empty, list) else "name"
    assert to_data(CONVERSIONS, {path: empty}) == {}


def test_answers_for_fields_no_page_asks_for_are_left_out() -> None:
    assert to_data(CONVERSIONS, {"name": "Erika", "passwort": "geheim"}) == {"name": "Erika"}


CONDITIONAL = make(
    {"zustellung": {"type": "string", "title": "Zustellung",
                    "oneOf": [{"const": "post", "title": "Per Post"}, {"const": "abholung", "title": "Abholen"}]},
     "express": {"type": "boolean", "title": "Express?"},
     "telefon": text("Telefon", format="phone"),
     "strasse": text("Straße", format="street"),
     "ort": text("Ort", format="name")},
    page("zustellung", ask("zustellung", "post")),
    page("extras", ask("express", False, show_when={"field": "zustellung", "equals": "abholung"}),
         ask("telefon", "0221 12345678")),
    page("adresse", ask("strasse", "Heidestraße"), ask("ort", "Köln"),
         show_when={"field": "zustellung", "equals": "post"}),
    required=("zustellung",))

BY_POST = {"zustellung": "post", "express": True, "telefon": "0221 12345678", "strasse": "Heidestraße", "ort": "Köln"}


def test_hidden_fields_and_pages_are_left_out_of_the_data() -> None:
    assert to_data(CONDITIONAL, BY_POST) == {"zustellung": "post", "telefon": "0221 12345678",
                                             "strasse": "Heidestraße", "ort": "Köln"}
    # The citizen went back and chose to collect: what they typed for the post stays out.
    collect = {**BY_POST, "zustellung": "abholung"}
    assert to_data(CONDITIONAL, collect) == {"zustellung": "abholung", "express": True, "telefon": "0221 12345678"}


def test_shown_fields_and_asked_follow_the_answers() -> None:
    extras, adresse = CONDITIONAL.steps[1], CONDITIONAL.steps[2]
    assert isinstance(extras, FormStep) and isinstance(adresse, FormStep)
    assert [f.path for f in shown_fields(CONDITIONAL, extras, {"zustellung": "post"})] == ["telefon"]
    assert [f.path for f in shown_fields(CONDITIONAL, extras, {"zustellung": "abholung"})] == ["express", "telefon"]
    assert shown_fields(CONDITIONAL, adresse, {"zustellung": "abholung"}) == ()
    assert [f.path for f in asked(CONDITIONAL, {})] == ["zustellung", "telefon"]  # nothing chosen: no condition holds


def test_a_page_whose_fields_are_all_hidden_is_not_shown() -> None:
    service = make({"zustellung": CONDITIONAL.data_schema["properties"]["zustellung"],
                    "express": {"type": "boolean", "title": "Express?"}},
                   page("zustellung", ask("zustellung", "post")),
                   page("versand", ask("express", False, show_when={"field": "zustellung", "equals": "post"})),
                   {"id": "ausweis", "kind": "eid", "title": "Ausweisen", "instead": "Bringen Sie Ihren Ausweis."})
    versand, ausweis = service.steps[1], service.steps[2]
    assert step_shown(versand, {"zustellung": "post"}) and not step_shown(versand, {"zustellung": "abholung"})
    assert step_shown(ausweis, {})  # a declared step has no fields and is shown


def test_shown_value_is_what_the_review_shows() -> None:
    assert shown_value(CONVERSIONS.field("geboren"), "1.2.1950") == "01.02.1950"
    assert shown_value(CONVERSIONS.field("geboren"), "31.02.1950") == "31.02.1950"
    assert shown_value(CONVERSIONS.field("plz"), " 51 147 ") == "51147"
    assert shown_value(CONVERSIONS.field("name"), "") == ""


# -- validation: required --------------------------------------------------------------------

def test_required_fields_of_the_real_service_including_nested_ones() -> None:
    service = load_service(MELDE)
    assert [(p.field, p.code) for p in validate(service, {}, TODAY)] == [(f.path, "required") for f in service.fields()]


def test_a_partly_filled_nested_object_names_the_missing_fields() -> None:
    service = load_service(MELDE)
    found = problems(service, {"anschrift.plz": "51147", "anschrift.ort": "Köln"})
    assert {path: p.code for path, p in found.items() if path.startswith("anschrift")} == \
        {"anschrift.strasse": "required", "anschrift.hausnummer": "required"}


@pytest.mark.parametrize("empty", ["", "   ", "\t\n"])
def test_an_empty_or_blank_required_field_is_required(empty: str) -> None:
    service = one_field({"type": "string"}, "Erika")
    assert codes(service, {"f": empty}) == {"f": "required"}
    with_format = one_field({"type": "string", "format": "name"}, "Erika")
    assert codes(with_format, {"f": empty}) == {"f": "required"}


def test_an_empty_optional_field_is_fine() -> None:
    assert codes(one_field({"type": "string", "format": "name"}, "Erika", required=False), {"f": ""}) == {}


def test_conditional_requirement_with_if_then() -> None:
    service = make({"rueckruf": {"type": "boolean", "title": "Rückruf?"}, "telefon": text("Telefon", format="phone")},
                   page("eins", ask("rueckruf", True), ask("telefon", "0221 12345678")),
                   required=("rueckruf",),
                   **{"if": {"properties": {"rueckruf": {"const": True}}, "required": ["rueckruf"]},
                      "then": {"required": ["telefon"]}})
    assert codes(service, {"rueckruf": True}) == {"telefon": "required"}
    assert codes(service, {"rueckruf": False}) == {}
    assert codes(service, {"rueckruf": True, "telefon": "0221 12345678"}) == {}


def test_at_most_one_problem_per_field_the_most_basic_first() -> None:
    service = one_field({"type": "string", "format": "date", "x-not-future": True}, "today")
    assert problems(service, {"f": "31.02.2999"}) == {"f": FieldProblem("f", "date")}


def test_problems_come_in_page_order() -> None:
    service = load_service(MELDE)
    answers = {**example_answers(service, TODAY), "zustellung": "fax", "vorname": "R2-D2", "anschrift.plz": "5114"}
    assert [p.field for p in validate(service, to_data(service, answers), TODAY)] == \
        ["vorname", "anschrift.plz", "zustellung"]


# -- validation: formats ---------------------------------------------------------------------

FORMATS = [("name", "Mustermann-Öztürk", "R2-D2"), ("street", "Heidestraße", "<b>Weg</b>"),
           ("house-number-de", "17a", "abc"), ("postal-code-de", "51147", "5114"),
           ("date", "12.08.1964", "31.02.1950"), ("iban", "DE89 3704 0044 0532 0130 00", "DE00 1234"),
           ("phone", "0221 12345678", "Hallo"), ("email", "erika@example.de", "erika.example.de"),
           ("chip-number", "276098106543210", "12345")]


@pytest.mark.parametrize(("name", "good", "bad"), FORMATS, ids=[f[0] for f in FORMATS])
def test_formats_are_checked_by_the_schema(name: str, good: str, bad: str) -> None:
    service = one_field({"type": "string", "format": name}, good)
    assert codes(service, {"f": good}) == {}
    assert problems(service, {"f": bad}) == {"f": FieldProblem("f", name)}


# -- validation: dates -----------------------------------------------------------------------

def day(offset_days: int = 0, years: int = 0) -> str:
    """A date relative to TODAY, as a citizen types it."""
    moved = TODAY + dt.timedelta(days=offset_days)
    return moved.replace(year=moved.year + years).strftime("%d.%m.%Y")


def date_rule(rule: str, limit: Any, example: str) -> Service:
    return one_field({"type": "string", "format": "date", rule: limit}, example)


def test_not_future() -> None:
    service = date_rule("x-not-future", True, "today")
    assert codes(service, {"f": day()}) == {}
    assert problems(service, {"f": day(1)}) == {"f": FieldProblem("f", "x-not-future", True)}


def test_not_past() -> None:
    service = date_rule("x-not-past", True, "today")
    assert codes(service, {"f": day()}) == {}
    assert codes(service, {"f": day(-1)}) == {"f": "x-not-past"}


def test_min_age() -> None:
    service = date_rule("x-min-age", 18, "12.08.1964")
    assert codes(service, {"f": day(years=-18)}) == {}  # 18 today
    assert problems(service, {"f": day(1, years=-18)}) == {"f": FieldProblem("f", "x-min-age", 18)}


def test_max_age() -> None:
    service = date_rule("x-max-age", 130, "12.08.1964")
    assert codes(service, {"f": day(1, years=-131)}) == {}  # 130, 131 tomorrow
    assert problems(service, {"f": day(years=-131)}) == {"f": FieldProblem("f", "x-max-age", 130)}


def test_max_days_ahead() -> None:
    service = date_rule("x-max-days-ahead", 365, "today+14")
    assert codes(service, {"f": day(365)}) == {}
    assert problems(service, {"f": day(366)}) == {"f": FieldProblem("f", "x-max-days-ahead", 365)}


def test_date_rules_follow_the_day_given() -> None:
    service = date_rule("x-not-future", True, "today")
    tomorrow = day(1)
    assert codes(service, {"f": tomorrow}, TODAY) == {"f": "x-not-future"}
    assert codes(service, {"f": tomorrow}, TODAY + dt.timedelta(days=1)) == {}


DATE_ORDER = make({"von": text("Von", format="date"), "bis": text("Bis", format="date")},
                  page("zeitraum", ask("von", "today+1"), ask("bis", "today+14")),
                  required=("von", "bis"), **{"x-date-order": [["von", "bis"]]})


def test_date_order_error_goes_to_the_later_field() -> None:
    assert codes(DATE_ORDER, {"von": day(1), "bis": day(14)}) == {}
    assert codes(DATE_ORDER, {"von": day(1), "bis": day(1)}) == {}  # the same day is in order
    assert problems(DATE_ORDER, {"von": day(14), "bis": day(1)}) == {"bis": FieldProblem("bis", "x-date-order", "von")}


def test_date_order_waits_for_both_dates() -> None:
    assert codes(DATE_ORDER, {"bis": day(1)}) == {"von": "required"}


def test_nested_date_order() -> None:
    service = make({"reise": {"type": "object", "properties": {"von": text("Von", format="date"),
                                                                "bis": text("Bis", format="date")}}},
                   page("reise", ask("reise.von", "today+1"), ask("reise.bis", "today+2")),
                   **{"x-date-order": [["reise.von", "reise.bis"]]})
    assert problems(service, {"reise.von": day(5), "reise.bis": day(2)}) == \
        {"reise.bis": FieldProblem("reise.bis", "x-date-order", "reise.von")}


# -- validation: other rules -----------------------------------------------------------------

def test_max_and_min_length() -> None:
    service = one_field({"type": "string", "minLength": 3, "maxLength": 5}, "abcd")
    assert codes(service, {"f": "abc"}) == codes(service, {"f": "abcde"}) == {}
    assert problems(service, {"f": "ab"}) == {"f": FieldProblem("f", "minLength", 3)}
    assert problems(service, {"f": "abcdef"}) == {"f": FieldProblem("f", "maxLength", 5)}


def test_max_length_counts_the_tidied_text() -> None:
    service = one_field({"type": "string", "maxLength": 5}, "abcd")
    assert codes(service, {"f": "  ab   cd  "}) == {}


def test_choice_must_be_one_of_the_choices() -> None:
    service = load_service(MELDE)
    answers = example_answers(service, TODAY)
    assert codes(service, {**answers, "zustellung": "abholung"}) == {}
    assert codes(service, {**answers, "zustellung": "Post"}) == {"zustellung": "choice"}
    assert codes(service, {**answers, "zweck": "urlaub"}) == {"zweck": "choice"}


def test_confirmation_must_be_yes() -> None:
    service = one_field({"type": "boolean", "const": True}, True)
    assert codes(service, {"f": True}) == {}
    assert problems(service, {"f": False}) == {"f": FieldProblem("f", "const", True)}
    assert codes(service, {}) == {"f": "required"}


SEVERAL = {"type": "array", "items": {"oneOf": [{"const": "hund", "title": "Hund"},
                                                {"const": "katze", "title": "Katze"},
                                                {"const": "maus", "title": "Maus"}]}}


def test_min_items() -> None:
    service = one_field({**SEVERAL, "minItems": 2}, ["hund", "katze"])
    assert codes(service, {"f": ["hund", "maus"]}) == {}
    assert problems(service, {"f": ["hund"]}) == {"f": FieldProblem("f", "minItems", 2)}
    assert codes(service, {"f": []})["f"] in ("required", "minItems")  # nothing ticked


def test_min_items_one_requires_a_choice_as_the_readme_says() -> None:
    # config/services/README.md: "use `minItems: 1` to require one".
    service = one_field({**SEVERAL, "minItems": 1}, ["hund"], required=False)
    assert codes(service, {"f": ["katze"]}) == {}
    assert "f" in codes(service, {"f": []}), "nothing ticked, yet nothing is said"
    assert "f" in codes(service, {}), "nothing tapped, yet nothing is said"


def test_choices_in_a_list_must_be_choices() -> None:
    service = one_field({**SEVERAL, "minItems": 1}, ["hund"])
    assert codes(service, {"f": ["hund", "elefant"]}) == {"f": "choice"}


def test_numbers() -> None:
    service = one_field({"type": "integer", "minimum": 1, "maximum": 9}, 2)
    assert codes(service, {"f": "9"}) == {}
    assert problems(service, {"f": "0"}) == {"f": FieldProblem("f", "minimum", 1)}
    assert problems(service, {"f": "10"}) == {"f": FieldProblem("f", "maximum", 9)}
    assert codes(service, {"f": "zwei"}) == {"f": "type"}


# -- a page at a time ------------------------------------------------------------------------

def test_page_problems_are_those_of_the_page_only() -> None:
    service = load_service(MELDE)
    person, anschrift = service.steps[0], service.steps[1]
    assert isinstance(person, FormStep) and isinstance(anschrift, FormStep)
    assert set(page_problems(service, person, {}, TODAY)) == {"vorname", "familienname", "geburtsdatum"}
    answers = {"vorname": "Erika", "familienname": "Müller", "geburtsdatum": "1.2.1950"}
    assert page_problems(service, person, answers, TODAY) == {}
    typed = {**answers, "anschrift.plz": "5114"}
    assert page_problems(service, anschrift, typed, TODAY)["anschrift.plz"] == \
        FieldProblem("anschrift.plz", "postal-code-de")


def test_an_empty_nested_page_has_problems() -> None:
    service = load_service(MELDE)
    anschrift = service.steps[1]
    assert isinstance(anschrift, FormStep)
    person = {"vorname": "Erika", "familienname": "Müller", "geburtsdatum": "1.2.1950"}
    assert set(page_problems(service, anschrift, person, TODAY)) == \
        {"anschrift.strasse", "anschrift.hausnummer", "anschrift.plz", "anschrift.ort"}


# -- messages --------------------------------------------------------------------------------

def english_label(service: Service, path: str) -> str:
    """The field's label as an English-speaking citizen reads it (German where not translated)."""
    return ts("en", service.id, service.field(path).label)


def test_messages_name_the_field_by_its_label_in_english() -> None:
    service = load_service(MELDE)
    vorname, zustellung = english_label(service, "vorname"), english_label(service, "zustellung")
    assert message("en", service, FieldProblem("vorname", "required")) == f"Please fill in “{vorname}”."
    assert message("en", service, FieldProblem("zustellung", "required")) == \
        f"Please choose an answer for “{zustellung}”."
    assert message("en", service, FieldProblem("anschrift.plz", "postal-code-de")) == \
        f"“{english_label(service, 'anschrift.plz')}”: a postcode has five digits, for example 51147."
    assert message("en", service, FieldProblem("vorname", "maxLength", 80)) == \
        f"“{vorname}” is too long. Please use at most 80 characters."
    assert message("en", service, FieldProblem("geburtsdatum", "x-max-age", 130)) == \
        f"“{english_label(service, 'geburtsdatum')}”: this is more than 130 years ago. Please check the year."


def test_messages_of_a_service_without_translations_name_the_german_label() -> None:
    assert message("en", DATE_ORDER, FieldProblem("von", "required")) == "Please fill in “Von”."


def test_date_order_message_names_both_fields() -> None:
    assert message("en", DATE_ORDER, FieldProblem("bis", "x-date-order", "von")) == \
        "“Bis” cannot be before “Von”. Please check both dates."


def test_a_rule_without_its_own_message_gets_the_general_one() -> None:
    assert message("en", DATE_ORDER, FieldProblem("von", "pattern", "^E")) == \
        "“Von”: this answer is not accepted. Please check it."


def test_messages_name_the_field_by_its_label_in_german() -> None:
    service = load_service(MELDE)
    for problem in (FieldProblem("vorname", "required"), FieldProblem("anschrift.plz", "postal-code-de"),
                    FieldProblem("geburtsdatum", "x-not-future", True)):
        english, german = message("en", service, problem), message("de", service, problem)
        label = service.field(problem.field).label
        assert label in german
        assert german != english, f"not translated into German: {english!r}"


def test_every_message_has_a_german_translation_with_the_same_placeholders() -> None:
    templates = [*MESSAGES.values(), FALLBACK]
    for template in (t for t in templates if translated("de", "kiosk", None, t)):
        german = tr("de", template, field="FELD", limit=42, other="ANDERES")  # a wrong placeholder raises
        for placeholder, value in (("{field}", "FELD"), ("{limit}", "42"), ("{other}", "ANDERES")):
            assert (value in german) == (placeholder in template), (template, german)
    missing = [t for t in templates if not translated("de", "kiosk", None, t)]
    assert not missing, f"{len(missing)} of {len(templates)} messages have no German translation in kiosk.po:\n" \
        + "\n".join(missing)


# -- examples --------------------------------------------------------------------------------

def test_examples_with_relative_dates() -> None:
    service = make({"termin": text("Termin", format="date", **{"x-not-past": True}),
                    "ab": text("Ab", format="date"), "heute": text("Heute", format="date"),
                    "anzahl": {"type": "integer", "title": "Anzahl"}, "ok": {"type": "boolean", "title": "OK?"},
                    "tiere": {**SEVERAL, "title": "Tiere"}},
                   page("eins", ask("termin", "today+14"), ask("ab", "today-3"), ask("heute", "today"),
                        ask("anzahl", 2), ask("ok", False), ask("tiere", ["hund", "maus"])))
    assert example_answers(service, TODAY) == {"termin": "29.06.2025", "ab": "12.06.2025", "heute": "15.06.2025",
                                               "anzahl": "2", "ok": False, "tiere": ["hund", "maus"]}
    assert example_answers(service, dt.date(2026, 12, 31))["termin"] == "14.01.2027"


def test_examples_follow_the_example_path() -> None:
    assert example_answers(CONDITIONAL, TODAY) == {"zustellung": "post", "telefon": "0221 12345678",
                                                   "strasse": "Heidestraße", "ort": "Köln"}


def test_declared_steps_are_pages_without_fields() -> None:
    service = make({"name": text("Name", format="name")},
                   page("person", ask("name", "Erika")),
                   {"id": "ausweis", "kind": "eid", "title": "Ausweisen",
                    "instead": "Bitte bringen Sie Ihren Ausweis mit."},
                   required=("name",))
    step = service.steps[1]
    assert isinstance(step, DeclaredStep) and step.kind == "eid"
    assert "Bitte bringen Sie Ihren Ausweis mit." in service.texts()
    assert example_answers(service, TODAY) == {"name": "Erika"}
