"""Service definitions and field validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.config import REPO_ROOT
from kiosk.forms.service import FormField, FormStep, ServiceError, load_catalogue, load_service
from kiosk.forms.validation import Checked, Problem, check

SERVICES = REPO_ROOT / "config" / "services"
MELDE = SERVICES / "meldebescheinigung.toml"
TODAY = dt.date(2025, 6, 15)


def field(type_: str, **extra: object) -> FormField:
    values: dict[str, object] = {"id": "f", "type": type_, "label": {"de": "Feld", "en": "Field"}, "sample": "x"}
    values.update(extra)
    return FormField.model_validate(values)


NAME = field("name", max_length=20)
STREET = field("street")
HOUSE = field("house_number", max_length=10)
POSTCODE = field("postcode")
BORN = field("date_of_birth")
CHOICE = field("choice", choices=[{"value": "post", "label": {"de": "Post", "en": "Post"}},
                                  {"value": "pickup", "label": {"de": "Abholen", "en": "Collect"}}])


# -- the real service ------------------------------------------------------------------------

def test_meldebescheinigung_loads_with_three_form_pages() -> None:
    service = load_service(MELDE)
    assert service.id == "meldebescheinigung"
    assert service.reference_prefix == "MB"
    assert len(service.steps) == 3
    assert all(isinstance(step, FormStep) for step in service.steps)
    assert [step.id for step in service.steps] == ["person", "address", "purpose"]
    assert service.title["de"] and service.title["en"]


def test_meldebescheinigung_sample_answers_pass_validation() -> None:
    service = load_service(MELDE)
    samples = service.sample_answers()
    assert set(samples) == {f.id for f in service.fields()}
    for form_field in service.fields():
        result = check(form_field, samples[form_field.id], TODAY)
        assert result.problem is None, (form_field.id, result)
        assert result.value == samples[form_field.id]


def test_catalogue_loads_offered_services_in_order() -> None:
    services = load_catalogue(SERVICES, ("meldebescheinigung",))
    assert [s.id for s in services] == ["meldebescheinigung"]


# -- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["Müller", "Jürgen", "Weiß", "Mustermann-Öztürk", "O'Brien", "D’Angelo",
                                 "Erika Maria", "Łukasz", "Dr. h.c.", "Χρήστος"])
def test_names_accept_what_people_are_called(raw: str) -> None:
    assert check(NAME, raw, TODAY) == Checked(raw, None)


@pytest.mark.parametrize("raw", ["Erika2", "<script>", "R2-D2", "Anna_Lena", "Max@home", "-Anna"])
def test_names_reject_digits_and_markup(raw: str) -> None:
    assert check(NAME, raw, TODAY).problem is Problem.NAME_CHARACTERS


def test_name_whitespace_is_tidied_and_unicode_normalised() -> None:
    decomposed = "Mu\u0308ller"  # u + combining diaeresis, as some keyboards send it
    assert check(NAME, f"  Erika   {decomposed} ", TODAY) == Checked("Erika Müller", None)


@pytest.mark.parametrize("form_field", [NAME, STREET, HOUSE, POSTCODE, BORN, CHOICE])
@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_empty_required_field_is_required(form_field: FormField, raw: str) -> None:
    assert check(form_field, raw, TODAY) == Checked("", Problem.REQUIRED)


def test_empty_optional_field_is_fine() -> None:
    optional = field("name", required=False)
    assert check(optional, "  ", TODAY) == Checked("", None)


def test_too_long_is_too_long() -> None:
    assert check(NAME, "A" * 20, TODAY).problem is None
    assert check(NAME, "A" * 21, TODAY).problem is Problem.TOO_LONG


@pytest.mark.parametrize(("raw", "value"), [("Heidestraße", "Heidestraße"), ("Straße des 17. Juni", "Straße des 17. Juni"),
                                             ("Am Markt 3/4", "Am Markt 3/4")])
def test_streets(raw: str, value: str) -> None:
    assert check(STREET, raw, TODAY) == Checked(value, None)


def test_street_rejects_markup() -> None:
    assert check(STREET, "<b>Weg</b>", TODAY).problem is Problem.STREET_CHARACTERS


@pytest.mark.parametrize("raw", ["17", "17a", "17 a", "12-14", "3/5", "1234B"])
def test_house_numbers_accepted(raw: str) -> None:
    assert check(HOUSE, raw, TODAY) == Checked(raw, None)


@pytest.mark.parametrize("raw", ["abc", "a17", "17ab", "12345", "-"])
def test_house_numbers_rejected(raw: str) -> None:
    assert check(HOUSE, raw, TODAY).problem is Problem.HOUSE_NUMBER


@pytest.mark.parametrize(("raw", "value"), [("51147", "51147"), (" 51 147 ", "51147"), ("01067", "01067")])
def test_postcodes_accepted_and_normalised(raw: str, value: str) -> None:
    assert check(POSTCODE, raw, TODAY) == Checked(value, None)


@pytest.mark.parametrize("raw", ["5114", "511470", "ABCDE", "5114a", "D-51147"])
def test_postcodes_rejected(raw: str) -> None:
    assert check(POSTCODE, raw, TODAY).problem is Problem.POSTCODE


@pytest.mark.parametrize(("raw", "value"), [("1.2.1950", "01.02.1950"), ("01.02.1950", "01.02.1950"),
                                             ("1/2/1950", "01.02.1950"), ("1 . 2 . 1950", "01.02.1950"),
                                             ("29.02.2024", "29.02.2024"), ("15.06.2025", "15.06.2025")])
def test_dates_accepted_and_normalised(raw: str, value: str) -> None:
    assert check(BORN, raw, TODAY) == Checked(value, None)


@pytest.mark.parametrize("raw", ["31.02.1950", "29.02.2023", "00.01.1950", "32.01.1950", "01.13.1950"])
def test_dates_that_do_not_exist(raw: str) -> None:
    assert check(BORN, raw, TODAY).problem is Problem.DATE_NOT_REAL


@pytest.mark.parametrize("raw", ["1950-02-01", "gestern", "1.2.50", "01021950", "1.2.1950 12:00"])
def test_dates_in_another_format(raw: str) -> None:
    assert check(BORN, raw, TODAY).problem is Problem.DATE_FORMAT


def test_date_tomorrow_is_in_the_future() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    assert check(BORN, tomorrow.strftime("%d.%m.%Y"), TODAY) == Checked("16.06.2025", Problem.DATE_IN_FUTURE)


def test_date_140_years_ago_is_too_old() -> None:
    assert check(BORN, "15.06.1885", TODAY) == Checked("15.06.1885", Problem.DATE_TOO_OLD)
    assert check(BORN, "15.06.1925", TODAY).problem is None  # 100 years is fine


def test_choice_must_be_one_of_the_choices() -> None:
    assert check(CHOICE, "post", TODAY) == Checked("post", None)
    assert check(CHOICE, "Post", TODAY).problem is Problem.CHOICE
    assert check(CHOICE, "email", TODAY).problem is Problem.CHOICE


# -- broken service files --------------------------------------------------------------------

def broken(tmp_path: Path, old: str, new: str, name: str = "meldebescheinigung.toml") -> Path:
    text = MELDE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def service_error(path: Path) -> str:
    with pytest.raises(ServiceError) as info:
        load_service(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_missing_english_label(tmp_path: Path) -> None:
    message = service_error(broken(tmp_path, 'label.en = "Family name"\n', ""))
    assert "field family_name label" in message
    assert "missing text for en" in message


def test_missing_english_title(tmp_path: Path) -> None:
    assert "missing text for en" in service_error(broken(tmp_path, 'title.en = "Apply for a registration certificate"\n', ""))


def test_missing_english_step_title(tmp_path: Path) -> None:
    message = service_error(broken(tmp_path, 'title.en = "About you"\n', ""))
    assert "step person title" in message and "en" in message


def test_missing_english_choice_label(tmp_path: Path) -> None:
    message = service_error(broken(tmp_path, 'label.en = "Employer"\n', ""))
    assert "choice employer label" in message and "en" in message


def test_hint_in_only_one_language(tmp_path: Path) -> None:
    message = service_error(broken(tmp_path, 'hint.en = "Five digits, for example: 51147"\n', ""))
    assert "field postcode hint" in message


def test_photo_step_is_not_available_yet(tmp_path: Path) -> None:
    message = service_error(broken(tmp_path, "[[steps]]\n",
                                   '[[steps]]\nkind = "photo"\nid = "photo"\ntitle.de = "Foto"\ntitle.en = "Photo"\n\n[[steps]]\n'))
    assert "photo" in message
    assert "not available yet" in message


def test_unknown_field_type(tmp_path: Path) -> None:
    assert "type" in service_error(broken(tmp_path, 'type = "postcode"', 'type = "iban"'))


def test_choices_on_a_non_choice_field(tmp_path: Path) -> None:
    assert "choices" in service_error(broken(tmp_path, 'type = "choice"', 'type = "name"'))


def test_repeated_field_id(tmp_path: Path) -> None:
    message = service_error(broken(tmp_path, 'id = "city"', 'id = "street"'))
    assert "street" in message and "more than once" in message


def test_invalid_toml(tmp_path: Path) -> None:
    assert "not valid TOML" in service_error(broken(tmp_path, "[[steps]]\n", "[[steps]\n"))


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "meldebescheinigung.toml"
    path.write_bytes(MELDE.read_text(encoding="utf-8").replace("—", "-").encode("latin-1"))
    assert "cannot read" in service_error(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in service_error(tmp_path / "meldebescheinigung.toml")


def test_catalogue_rejects_a_file_declaring_another_id(tmp_path: Path) -> None:
    broken(tmp_path, 'id = "meldebescheinigung"', 'id = "wohnsitz"')
    with pytest.raises(ServiceError) as info:
        load_catalogue(tmp_path, ("meldebescheinigung",))
    assert str(tmp_path / "meldebescheinigung.toml") in str(info.value)
    assert "wohnsitz" in str(info.value)


def test_catalogue_names_a_missing_service_file(tmp_path: Path) -> None:
    with pytest.raises(ServiceError) as info:
        load_catalogue(tmp_path, ("gewerbeanmeldung",))
    assert str(tmp_path / "gewerbeanmeldung.toml") in str(info.value)
