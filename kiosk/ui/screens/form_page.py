"""One page of a service: its questions, built from the service definition, or a declared step
(identification, photo, fee) that says what the citizen must do instead."""

from __future__ import annotations

from typing import Mapping

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.textinput import TextInput

from kiosk.forms.answers import shown_fields, step_shown
from kiosk.forms.service import DeclaredStep, FormField, FormStep, Service
from kiosk.forms.validation import FieldProblem, message
from kiosk.i18n import ts
from kiosk.journey import events as ev
from kiosk.journey.state import JourneyState, Stage
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import ChoiceButton, FieldBox, FieldInput, Text

TICK, NO_TICK = "✓  ", "    "


class FormPageScreen(KioskScreen):
    stage = Stage.FORM

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._built_for: tuple[object, ...] | None = None
        self._boxes: dict[str, FieldBox] = {}
        self._problems: Mapping[str, FieldProblem] = {}
        self._pointing: str | None = None

    def show(self, state: JourneyState) -> None:
        if state.stage is not Stage.FORM:
            return
        key = (state.service.id, state.step_index, state.language)  # type: ignore[union-attr]
        if key != self._built_for or self._outdated():
            self._build(state)
            self._built_for = key
        self._point(state.call.pointing if state.call is not None else None)
        self._pointing = state.call.pointing if state.call is not None else None
        for path, box in self._boxes.items():
            problem = state.problems.get(path)
            box.problem = message(state.language, state.service, problem) if problem else ""  # type: ignore[arg-type]
            for entry in box.ids.input_row.children:
                if isinstance(entry, FieldInput):
                    entry.problem = problem is not None
        before, self._problems = self._problems, state.problems
        if state.problems and state.problems is not before and not set(state.problems) < set(before):
            # A new check found problems (not: one fewer while correcting, or help opened): show
            # the first, which may be scrolled out of sight, or 'Next' seems to do nothing.
            first = next(box for path, box in self._boxes.items() if path in state.problems)
            Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(first, animate=False), 0)

    def _build(self, state: JourneyState) -> None:
        self.clear()
        step, service, lang = state.step, state.service, state.language
        assert service is not None
        app = App.get_running_app()
        self.ids.bar.title = ts(lang, service.id, service.title)
        self.ids.title.text = app.t("Step {number} of {total}: {title}", number=state.step_index + 1,
                                    total=len(service.steps), title=ts(lang, service.id, step.title))
        self.ids.instruction.text = ts(lang, service.id, step.instruction)
        if isinstance(step, DeclaredStep):
            if step.kind == "photo":  # shown only when this terminal takes no photos
                self.ids.fields.add_widget(Text(text=app.t("This terminal does not take photos.")))
            self.ids.fields.add_widget(Text(text=ts(lang, service.id, step.instead), bold=True))
        else:
            self._add_fields(service, step, lang)
        self.ids.scroll.scroll_y = 1  # a new page starts at its top
        answers = self.journey.answers()
        last = not any(step_shown(later, answers) for later in service.steps[state.step_index + 1:])
        self.ids.next.text = app.t("Check my answers") if state.editing or last else app.t("Next")

    def _add_fields(self, service: Service, step: FormStep, lang: str) -> None:
        for form_field in shown_fields(service, step, self.journey.answers()):
            box = FieldBox(field=form_field, label=ts(lang, service.id, form_field.label),
                           help=ts(lang, service.id, form_field.help))
            self._add_input(box, service, form_field, lang)
            self.ids.fields.add_widget(box)
            self._boxes[form_field.path] = box

    def _add_input(self, box: FieldBox, service: Service, form_field: FormField, lang: str) -> None:
        current = self.journey.answer(form_field.path)
        if form_field.kind in ("choice", "yesno", "multichoice"):
            for value, label in self._options(service, form_field, lang):
                chosen = value in current if isinstance(current, list) else value == current
                button = ChoiceButton(text=(TICK if chosen else NO_TICK) + label, value=value,
                                      state="down" if chosen else "normal")
                if form_field.kind != "multichoice":
                    button.group, button.allow_no_selection = f"choice-{form_field.path}", False
                button.bind(on_release=lambda b, f=form_field: self._choose(f, b))
                box.ids.input_row.add_widget(button)
            return
        entry = FieldInput(text=str(current), field_id=form_field.path, keyboard_layout=form_field.keyboard,
                           capitalise=form_field.capitalise, multiline=form_field.kind == "textarea")
        if form_field.kind == "textarea":
            entry.height = App.get_running_app().theme.button_height * 2.4
        app = App.get_running_app()
        entry.bind(text=lambda e, value: app.send(ev.Answer(e.field_id, value)))
        entry.text_validate_unfocus = False
        entry.bind(focus=lambda e, focused: focused and Clock.schedule_once(lambda _dt: self._reveal(box), 0.1))
        entry.bind(on_text_validate=self._enter_pressed)
        box.ids.input_row.add_widget(entry)

    def _outdated(self) -> bool:
        """An answer changed without the citizen typing or tapping it here (a clerk's proposal
        the citizen took): the page shows it once rebuilt."""
        for path, widgets in self.inputs().items():
            current = self.journey.answer(path)
            entry = next((w for w in widgets if isinstance(w, FieldInput)), None)
            if entry is not None:
                if entry.text != str(current):
                    return True
                continue
            chosen = [w.value for w in widgets if isinstance(w, ChoiceButton) and w.state == "down"]
            if chosen != (current if isinstance(current, list) else [current] if current != "" else []):
                return True
        return False

    def _point(self, pointing: str | None) -> None:
        for path, box in self._boxes.items():
            box.pointed = path == pointing
        if pointing in self._boxes and pointing != self._pointing:  # once: the citizen may scroll on
            box = self._boxes[pointing]
            Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(box, animate=False), 0)

    @staticmethod
    def _options(service: Service, form_field: FormField, lang: str) -> list[tuple[object, str]]:
        if form_field.kind == "yesno":
            app = App.get_running_app()
            return [(True, app.t("Yes")), (False, app.t("No"))]
        return [(c.value, ts(lang, service.id, c.label)) for c in form_field.choices]

    def _reveal(self, box: FieldBox) -> None:
        """Scroll the question being typed into view, above the on-screen keyboard."""
        if box.parent is not None:
            self.ids.scroll.scroll_to(box, padding=App.get_running_app().theme.gap)

    def _enter_pressed(self, entry: FieldInput) -> None:
        """Enter moves on to the next field, as on a paper form; on the last one it means Next."""
        entries = [w for box in self._boxes.values() for w in reversed(box.ids.input_row.children)
                   if isinstance(w, FieldInput)]
        later = entries[entries.index(entry) + 1:]
        if later:
            later[0].focus = True
        else:
            entry.focus = False
            App.get_running_app().send(ev.Next())

    def _choose(self, form_field: FormField, tapped: ChoiceButton) -> None:
        buttons = [b for b in tapped.parent.children if isinstance(b, ChoiceButton)]
        if form_field.kind != "multichoice":
            tapped.state = "down"  # tapping the chosen answer again keeps it chosen
        for button in buttons:
            label = button.text[len(TICK):] if button.text.startswith(TICK) else button.text[len(NO_TICK):]
            button.text = (TICK if button.state == "down" else NO_TICK) + label
        if form_field.kind == "multichoice":
            answer: object = [b.value for b in reversed(buttons) if b.state == "down"]
        else:
            answer = tapped.value
        App.get_running_app().send(ev.Answer(form_field.path, answer))  # type: ignore[arg-type]

    def inputs(self) -> dict[str, list[object]]:
        """The input widget(s) of each field on this page, top to bottom (autopilot and tests)."""
        return {path: list(reversed(box.ids.input_row.children)) for path, box in self._boxes.items()}

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
