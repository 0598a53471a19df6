"""One page of a service's form, built from the service definition."""

from __future__ import annotations

from typing import Mapping

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.textinput import TextInput

from kiosk.forms.service import FormField
from kiosk.forms.validation import Problem
from kiosk.journey import events as ev
from kiosk.journey.state import JourneyState, Stage
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import ChoiceButton, FieldBox, FieldInput

# What went wrong, in plain words and with what to do about it (message ids are English).
PROBLEM_MESSAGES = {
    Problem.REQUIRED: "Please fill in this field.",
    Problem.TOO_LONG: "This is too long. Please shorten it.",
    Problem.NAME_CHARACTERS: "Please use letters only (hyphens and spaces are fine).",
    Problem.STREET_CHARACTERS: "Please use letters only (hyphens, dots and spaces are fine).",
    Problem.HOUSE_NUMBER: "Please enter a house number such as 17 or 17a.",
    Problem.POSTCODE: "A postcode has five digits, for example 51147.",
    Problem.DATE_FORMAT: "Please enter the date as day.month.year, for example 12.08.1964.",
    Problem.DATE_NOT_REAL: "This date does not exist. Please check day and month.",
    Problem.DATE_IN_FUTURE: "This date is in the future. Please check the year.",
    Problem.DATE_TOO_OLD: "This date is too long ago. Please check the year.",
    Problem.CHOICE: "Please choose one of the answers.",
}


NUMERIC_TYPES = frozenset({"postcode", "date_of_birth"})


class FormPageScreen(KioskScreen):
    stage = Stage.FORM

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._built_for: tuple[object, ...] | None = None
        self._boxes: dict[str, FieldBox] = {}
        self._problems: Mapping[str, Problem] = {}

    def show(self, state: JourneyState) -> None:
        if state.stage is not Stage.FORM:
            return
        key = (state.service.id, state.step_index, state.language)  # type: ignore[union-attr]
        if key != self._built_for:
            self._build(state)
            self._built_for = key
        app = App.get_running_app()
        for field_id, box in self._boxes.items():
            problem = state.problems.get(field_id)
            box.problem = app.t(PROBLEM_MESSAGES[problem]) if problem else ""
            for entry in box.ids.input_row.children:
                if isinstance(entry, FieldInput):
                    entry.problem = problem is not None
        before, self._problems = self._problems, state.problems
        if state.problems and state.problems is not before and not set(state.problems) < set(before):
            # A new check found problems (not: one fewer while correcting, or help opened): show
            # the first, which may be scrolled out of sight, or 'Next' seems to do nothing.
            first = next(box for field_id, box in self._boxes.items() if field_id in state.problems)
            Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(first, animate=False), 0)

    def _build(self, state: JourneyState) -> None:
        self.clear()
        step = state.step
        service = state.service
        assert service is not None
        app = App.get_running_app()
        self.ids.bar.title = service.title[state.language]  # type: ignore[index]
        self.ids.title.text = app.t("Step {number} of {total}: {title}", number=state.step_index + 1,
                                    total=len(service.steps), title=step.title[state.language])  # type: ignore[index]
        for form_field in step.fields:
            box = FieldBox(field=form_field)
            self._add_input(box, form_field, state.language)
            self.ids.fields.add_widget(box)
            self._boxes[form_field.id] = box
        self.ids.scroll.scroll_y = 1  # a new page starts at its top
        self.ids.next.text = app.t("Check my answers" if state.editing or
                                   state.step_index == len(service.steps) - 1 else "Next")

    def _add_input(self, box: FieldBox, form_field: FormField, language: str) -> None:
        app = App.get_running_app()
        current = self.journey.answer(form_field.id)
        if form_field.type == "choice":
            for choice in form_field.choices:
                button = ChoiceButton(text=("✓  " if choice.value == current else "    ") + choice.label[language],
                                      value=choice.value, group=f"choice-{form_field.id}",
                                      state="down" if choice.value == current else "normal",
                                      allow_no_selection=False)
                button.bind(on_release=lambda b, f=form_field: self._choose(f, b))
                box.ids.input_row.add_widget(button)
            return
        entry = FieldInput(text=current, field_id=form_field.id,
                           keyboard_layout="numeric" if form_field.type in NUMERIC_TYPES else "text",
                           capitalise=form_field.type in ("name", "street"))
        entry.bind(text=lambda e, value: app.send(ev.Answer(e.field_id, value)))
        entry.text_validate_unfocus = False
        entry.bind(focus=lambda e, focused: focused and Clock.schedule_once(lambda _dt: self._reveal(box), 0.1))
        entry.bind(on_text_validate=self._enter_pressed)
        box.ids.input_row.add_widget(entry)

    def _reveal(self, box: FieldBox) -> None:
        """Scroll the question being typed into view, above the on-screen keyboard."""
        if box.parent is not None:
            self.ids.scroll.scroll_to(box, padding=App.get_running_app().theme.gap)

    def _enter_pressed(self, entry: FieldInput) -> None:
        """Enter moves on to the next field, as on a paper form; on the last one it means Next."""
        entries = [w for box in self._boxes.values() for w in box.ids.input_row.children
                   if isinstance(w, FieldInput)]
        later = entries[entries.index(entry) + 1:]
        if later:
            later[0].focus = True
        else:
            entry.focus = False
            App.get_running_app().send(ev.Next())

    def _choose(self, form_field: FormField, chosen: ChoiceButton) -> None:
        for button in chosen.get_widgets(chosen.group):
            label = button.text.lstrip("✓ ").strip()
            button.text = ("✓  " if button is chosen else "    ") + label
        App.get_running_app().send(ev.Answer(form_field.id, chosen.value))

    def inputs(self) -> dict[str, object]:
        """The input widget(s) of each field on this page (used by the autopilot and tests)."""
        return {fid: list(box.ids.input_row.children) for fid, box in self._boxes.items()}

    def on_pre_leave(self, *args: object) -> None:
        self._unfocus()  # the on-screen keyboard goes with the page

    def _unfocus(self) -> None:
        for box in self._boxes.values():
            for child in box.ids.input_row.children:
                if isinstance(child, TextInput):
                    child.focus = False

    def clear(self) -> None:
        self._unfocus()
        self.ids.fields.clear_widgets()
        self._boxes.clear()
        self._problems = {}
        self._built_for = None


load_kv(__file__)
