"""All answers on one page, each page with a button to change it, before sending."""

from __future__ import annotations

from kivy.app import App
from kivy.uix.boxlayout import BoxLayout

from kiosk.forms.service import FormField, FormStep
from kiosk.journey import events as ev
from kiosk.journey.state import JourneyState, Overlay, Stage
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import BigButton, Heading, Text


class ReviewScreen(KioskScreen):
    stage = Stage.REVIEW

    def show(self, state: JourneyState) -> None:
        if state.stage is not Stage.REVIEW or state.overlay is not Overlay.NONE and self.ids.answers.children:
            return
        self.clear()
        app = App.get_running_app()
        assert state.service is not None
        self.ids.bar.title = state.service.title[state.language]  # type: ignore[index]
        for index, step in enumerate(state.service.steps):
            if isinstance(step, FormStep):
                self.ids.answers.add_widget(self._section(index, step, state.language, app))

    def _section(self, index: int, step: FormStep, language: str, app: App) -> BoxLayout:
        section = BoxLayout(orientation="vertical", size_hint_y=None, spacing=app.theme.gap / 2)
        section.bind(minimum_height=section.setter("height"))
        header = BoxLayout(size_hint_y=None, height=app.theme.button_height, spacing=app.theme.gap)
        header.add_widget(Heading(text=step.title[language], font_size=app.theme.body * 1.15))  # type: ignore[index]
        change = BigButton(text=app.t("Change"), size_hint_x=0.3)
        change.step_index = index
        change.bind(on_release=lambda b: app.send(ev.Edit(b.step_index)))
        header.add_widget(change)
        section.add_widget(header)
        for form_field in step.fields:
            section.add_widget(Text(text=f"{form_field.label[language]}:  "  # type: ignore[index]
                                         f"[b]{self._shown(form_field, language)}[/b]", markup=True))
        return section

    def _shown(self, form_field: FormField, language: str) -> str:
        value = self.journey.answer(form_field.id)
        labels = {c.value: c.label[language] for c in form_field.choices}
        shown = labels.get(value, value) or "—"
        return shown.replace("[", "&bl;").replace("]", "&br;")  # citizen text is never markup

    def clear(self) -> None:
        self.ids.answers.clear_widgets()


load_kv(__file__)
