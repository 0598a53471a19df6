"""A typical receipt in every UI language, for tests, benchmarks and previews.

The receipt of the photo service, the longest the kiosk prints: title, three
label/value rows, the big code with its QR code and three footer texts, the
first of about 80 characters. The texts are those of config/locale (a test
keeps them equal).
"""

from __future__ import annotations

from hardware.printer.interface import Receipt

CODE = "MB-7K3Q-9XZ2"
LANGUAGES = ("de", "en", "pl", "ru", "tr", "uk", "ar")
RIGHT_TO_LEFT = frozenset({"ar"})

# Per language: title, labels (service, terminal, reference), service title, footer.
_TEXTS: dict[str, tuple[str, tuple[str, str, str], str, tuple[str, str, str]]] = {
    "de": ("Beleg", ("Leistung", "Terminal", "Vorgangsnummer"),
           "Biometrisches Passfoto für Ausweis oder Pass",
           ("Der Code oben ist Ihr Abholcode für das Foto. Mit diesem Code holt das Amt Ihr Foto ab.",
            "Bitte bewahren Sie diesen Beleg auf.",
            "Nennen Sie die Vorgangsnummer, wenn Sie nach Ihrem Antrag fragen.")),
    "en": ("Receipt", ("Service", "Terminal", "Reference"),
           "Biometric photo for ID card or passport",
           ("The code above is your photo retrieval code. The office fetches your photo with it.",
            "Please keep this receipt.",
            "Quote the reference code if you ask about your application.")),
    "pl": ("Potwierdzenie", ("Sprawa", "Terminal", "Numer sprawy"),
           "Zdjęcie biometryczne do dowodu osobistego lub paszportu",
           ("Kod powyżej to kod odbioru zdjęcia. Za pomocą tego kodu urząd pobierze zdjęcie.",
            "Proszę zachować to potwierdzenie.",
            "Przy pytaniach o wniosek proszę podać numer sprawy.")),
    "ru": ("Квитанция", ("Услуга", "Терминал", "Номер заявления"),
           "Биометрическое фото на документы",
           ("Код выше — это код для получения Вашего фото. По этому коду ведомство заберёт Ваше фото.",
            "Пожалуйста, сохраните эту квитанцию.",
            "Если у Вас будут вопросы о заявлении, назовите этот номер.")),
    "tr": ("Fiş", ("Hizmet", "Terminal", "İşlem numarası"),
           "Kimlik kartı veya pasaport için biyometrik fotoğraf",
           ("Yukarıdaki kod, fotoğrafınızın teslim alma kodudur. İlgili daire fotoğrafınızı bu kodla alır.",
            "Lütfen bu fişi saklayın.",
            "Başvurunuz hakkında soru sorarken işlem numarasını söyleyin.")),
    "uk": ("Квитанція", ("Послуга", "Термінал", "Номер справи"),
           "Біометричне фото для ID-картки або паспорта",
           ("Код вище — це код для отримання Вашого фото. За цим кодом відомство забере Ваше фото.",
            "Будь ласка, збережіть цю квитанцію.",
            "Якщо маєте питання щодо своєї заяви, назвіть номер справи.")),
    "ar": ("إيصال", ("الخدمة", "الجهاز", "رقم المعاملة"),
           "صورة بيومترية لبطاقة الهوية أو الجواز",
           ("الرمز أعلاه هو رمز استلام صورتكم. بهذا الرمز تحصل الجهة المختصة على صورتكم.",
            "يرجى الاحتفاظ بهذا الإيصال.",
            "اذكروا رقم المعاملة عندما تسألون عن طلبكم.")),
}  # fmt: skip


def typical_receipt(lang: str, code: str = CODE) -> Receipt:
    """The photo service's receipt in `lang` (one of LANGUAGES)."""
    title, (service, terminal, reference), service_title, footer = _TEXTS[lang]
    return Receipt(
        title=title,
        lines=((service, service_title), (terminal, "Rathaus, Foyer"), (reference, "PF-4D7N-2HXC")),
        reference=code,
        qr_payload=code,
        footer=footer,
        issued_at="12.03.2025 10:41",
        right_to_left=lang in RIGHT_TO_LEFT,
    )
