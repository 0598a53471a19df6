"""All answers on one page, each page with a button to change it, before sending."""

from __future__ import annotations

from kivy.app import App
from kivy.uix.boxlayout import BoxLayout

from kiosk.forms.answers import shown_fields, shown_value, step_shown
from kiosk.forms.service import DeclaredStep, FormField, FormStep, Service
from kiosk.i18n import N_, ts
from kiosk.journey import events as ev
from kiosk.journey.state import JourneyState, Overlay, Stage
from kiosk.ui.rtl import Row
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import BigButton, Heading, Text


PRINTER_NOTICE = N_("The printer cannot print receipts at the moment. After sending, your code is shown "
                    "on the screen, so you can photograph it or write it down.")


class ReviewScreen(KioskScreen):
    stage = Stage.REVIEW

    def show(self, state: JourneyState) -> None:
        if state.stage is not Stage.REVIEW or state.overlay is not Overlay.NONE and self.ids.answers.children:
            return
        self.clear()
        app = App.get_running_app()
        self.ids.printer_notice.text = "" if state.printer_ready else app.t(PRINTER_NOTICE)
        service = state.service
        assert service is not None
        self.ids.bar.title = ts(state.language, service.id, service.title)
        answers = self.journey.answers()
        for index, step in enumerate(service.steps):
            if isinstance(step, FormStep) and step_shown(step, answers):
                self.ids.answers.add_widget(self._section(service, index, step, state.language, app))
            elif isinstance(step, DeclaredStep) and step.kind == "photo" and step_shown(step, answers):
                self.ids.answers.add_widget(self._photo_section(service, step, state.language, app))

    def _section(self, service: Service, index: int, step: FormStep, language: str, app: App) -> BoxLayout:
        section = BoxLayout(orientation="vertical", size_hint_y=None, spacing=app.theme.gap / 2)
        section.bind(minimum_height=section.setter("height"))
        header = Row(size_hint_y=None, spacing=app.theme.gap)
        title = Heading(text=ts(language, service.id, step.title), font_size=app.theme.body * 1.15)
        change = BigButton(text=app.t("Change"), size_hint_x=0.3)
        change.step_index = index
        change.bind(on_release=lambda b: app.send(ev.Edit(b.step_index)))
        header.add_widget(title)
        header.add_widget(change)
        # The row is as tall as its taller part: a long page title wraps at large text sizes.
        for part in (title, change):
            part.bind(height=lambda *_: setattr(header, "height", max(title.height, change.height)))
        section.add_widget(header)
        for form_field in shown_fields(service, step, self.journey.answers()):
            section.add_widget(Text(text=f"{ts(language, service.id, form_field.label)}:  "
                                         f"[b]{self._shown(service, form_field, language)}[/b]", markup=True))
        return section

    def _photo_section(self, service: Service, step: DeclaredStep, language: str, app: App) -> BoxLayout:
        """The photo step: kept (with its code), or what to do instead."""
        section = BoxLayout(orientation="vertical", size_hint_y=None, spacing=app.theme.gap / 2)
        section.bind(minimum_height=section.setter("height"))
        section.add_widget(Heading(text=ts(language, service.id, step.title), font_size=app.theme.body * 1.15))
        _photo, code = self.journey.photo()
        if code:
            text = app.t("Photo taken. Retrieval code: {code}", code=f"[b]{code}[/b]")
        else:
            text = app.t("No photo taken here.") + " " + ts(language, service.id, step.instead)
        section.add_widget(Text(text=text, markup=True))
        return section

    def _shown(self, service: Service, form_field: FormField, language: str) -> str:
        answer = self.journey.answer(form_field.path)
        app = App.get_running_app()
        if form_field.kind == "yesno" and isinstance(answer, bool):
            shown = app.t("Yes") if answer else app.t("No")
        elif form_field.kind in ("choice", "multichoice"):
            labels = {c.value: ts(language, service.id, c.label) for c in form_field.choices}
            chosen = answer if isinstance(answer, list) else [answer] if answer else []
            shown = ", ".join(labels.get(str(v), str(v)) for v in chosen)
        else:
            shown = shown_value(form_field, answer)
        return (shown or "—").replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")  # never markup

    def clear(self) -> None:
        self.ids.answers.clear_widgets()


load_kv(__file__)
