"""A typical receipt in every UI language, for tests, benchmarks and previews.

The receipt of the photo service, the longest the kiosk prints, as kiosk/receipt.py
builds it: title, three label/value rows (service, terminal, reference), the photo's
retrieval code big and as a QR code, and four footer texts: what happens next (about
150 characters), the opening hours, the phone number for questions and the request
to keep the receipt. The texts are those of config/locale (a test keeps them equal
to the catalogues and to kiosk/receipt.py); the office's details are those of
config/kiosk.toml.
"""

from __future__ import annotations

from hardware.printer.interface import Receipt

CODE = "MB-7K3Q-9XZ2"
REFERENCE = "PF-4D7N-2HXC"
LOCATION = "Rathaus, Foyer"
OPENING_HOURS = "Mo-Fr 8:00-12:00, Do 14:00-18:00"
PHONE = "0761 201-0"
ISSUED_AT = "12.03.2025 10:41"
LANGUAGES = ("de", "en", "pl", "ru", "tr", "uk", "ar")
RIGHT_TO_LEFT = frozenset({"ar"})

# Per language: title, labels (service, terminal, reference), service title and the
# footer: next steps, opening hours ({hours}), questions ({phone}), keep the receipt.
_TEXTS: dict[str, tuple[str, tuple[str, str, str], str, tuple[str, str, str, str]]] = {
    "de": ("Beleg", ("Leistung", "Terminal", "Vorgangsnummer"),
           "Biometrisches Passfoto für Ausweis oder Pass",
           ("Bitte zeigen Sie diesen Code im Amt, wenn Sie Ihren Pass oder Ausweis beantragen. Mit "
            "diesem Code holt das Amt Ihr Foto ab. Das Foto wird nach 96 Stunden gelöscht.",
            "Öffnungszeiten: {hours}",
            "Bei Fragen rufen Sie bitte {phone} an und nennen Sie den Code oben.",
            "Bitte bewahren Sie diesen Beleg auf.")),
    "en": ("Receipt", ("Service", "Terminal", "Reference"),
           "Biometric photo for ID card or passport",
           ("Show this code at the office when you apply for your passport or ID card. The office "
            "fetches your photo with it; the photo is deleted after 96 hours.",
            "Opening hours: {hours}",
            "Questions? Call {phone} and quote the code above.",
            "Please keep this receipt.")),
    "pl": ("Potwierdzenie", ("Sprawa", "Terminal", "Numer sprawy"),
           "Zdjęcie biometryczne do dowodu osobistego lub paszportu",
           ("Proszę pokazać ten kod w urzędzie przy składaniu wniosku o paszport lub dowód osobisty. "
            "Za pomocą tego kodu urząd pobierze zdjęcie. Zdjęcie zostanie usunięte po 96 godzinach.",
            "Godziny otwarcia: {hours}",
            "W razie pytań proszę zadzwonić pod numer {phone} i podać powyższy kod.",
            "Proszę zachować to potwierdzenie.")),
    "ru": ("Квитанция", ("Услуга", "Терминал", "Номер заявления"),
           "Биометрическое фото на документы",
           ("Пожалуйста, покажите этот код в ведомстве, когда будете подавать заявление на паспорт "
            "или удостоверение личности. По этому коду ведомство заберёт Ваше фото; через 96 часов "
            "фото будет удалено.",
            "Часы работы: {hours}",
            "Есть вопросы? Позвоните по номеру {phone} и назовите код, указанный выше.",
            "Пожалуйста, сохраните эту квитанцию.")),
    "tr": ("Fiş", ("Hizmet", "Terminal", "İşlem numarası"),
           "Kimlik kartı veya pasaport için biyometrik fotoğraf",
           ("Lütfen pasaport veya kimlik kartı başvurusu yaparken bu kodu ilgili daireye gösterin. "
            "İlgili daire fotoğrafınızı bu kodla alır. Fotoğraf 96 saat sonra silinir.",
            "Çalışma saatleri: {hours}",
            "Sorularınız için {phone} numarasını arayın ve yukarıdaki kodu söyleyin.",
            "Lütfen bu fişi saklayın.")),
    "uk": ("Квитанція", ("Послуга", "Термінал", "Номер справи"),
           "Біометричне фото для ID-картки або паспорта",
           ("Будь ласка, покажіть цей код у відомстві, коли подаватимете заяву на паспорт або "
            "ID-картку. За цим кодом відомство забере Ваше фото; через 96 годин фото буде видалено.",
            "Години роботи: {hours}",
            "Маєте питання? Зателефонуйте за номером {phone} і назвіть код, указаний вище.",
            "Будь ласка, збережіть цю квитанцію.")),
    "ar": ("إيصال", ("الخدمة", "الجهاز", "رقم المعاملة"),
           "صورة بيومترية لبطاقة الهوية أو الجواز",
           ("يرجى عرض هذا الرمز على الجهة المختصة عند تقديم طلب جواز السفر أو بطاقة الهوية. بهذا "
            "الرمز تحصل الجهة المختصة على صورتكم، وتحذف الصورة بعد 96 ساعة.",
            "أوقات الدوام: {hours}",
            # LRM before the number: it reads left to right, not as "0-201 0761".
            "للاستفسار اتصلوا بالرقم \u200e{phone} واذكروا الرمز المطبوع أعلاه.",
            "يرجى الاحتفاظ بهذا الإيصال.")),
}  # fmt: skip


def typical_receipt(lang: str, code: str = CODE) -> Receipt:
    """The photo service's receipt in `lang` (one of LANGUAGES), `code` its photo's retrieval code."""
    title, (service, terminal, reference), service_title, footer = _TEXTS[lang]
    next_steps, hours, phone, keep = footer
    return Receipt(
        title=title,
        lines=((service, service_title), (terminal, LOCATION), (reference, REFERENCE)),
        reference=code,
        qr_payload=code,
        footer=(next_steps, hours.format(hours=OPENING_HOURS), phone.format(phone=PHONE), keep),
        issued_at=ISSUED_AT,
        right_to_left=lang in RIGHT_TO_LEFT,
    )
