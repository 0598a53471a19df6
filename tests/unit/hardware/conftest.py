"""Shared receipt for the printer tests: German text with every special
character the layout must get right (ä ö ü Ä Ö Ü ß €)."""

import pytest

from hardware.printer import Receipt


@pytest.fixture
def receipt() -> Receipt:
    return Receipt(
        title="Terminbestätigung Bürgeramt",
        lines=(
            ("Name", "Müller Straße"),
            ("Anliegen", "Personalausweis beantragen"),
            ("Gebühr", "37,00 €"),
            ("Ort", "Rathaus Überlingen, Zimmer 2.14, Öffnungszeiten laut Aushang"),
        ),
        reference="MB-7K3Q-9XZ2",
        qr_payload="https://termine.example.de/r/MB-7K3Q-9XZ2",
        footer=("Vielen Dank für Ihren Besuch!",),
        issued_at="12.03.2025, 10:41",
    )
