import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.stages.registrations import extract_registrations


def numbers(text):
    return [reg.number for reg in extract_registrations(text)[0]]


def only(text):
    regs, _ = extract_registrations(text)
    assert len(regs) == 1, regs
    return regs[0]


def test_seed_footer_registration(seed_text):
    reg = only(seed_text)
    assert (reg.number, reg.country, reg.kind, reg.issued_on) == (
        "KZ15VPY00079493",
        "KZ",
        "media",
        "2023-10-19",
    )
    assert reg.text.startswith("© Свидетельство о постановке на учет")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Свидетельство СМИ № KZ83VPY00075165 от 21.08.2023.", "KZ83VPY00075165"),
        ("KZ87VPY00050358 нөмірімен тіркеліп", "KZ87VPY00050358"),
        ("№KZ09VPY00029937 куәлігін алған", "KZ09VPY00029937"),
        ("№ KZ90VPY00156907 от 17.08.2026", "KZ90VPY00156907"),
        ("Свидетельство о регистрации СМИ №15632-ИА выдано", "15632-ИА"),
        ("Свидетельство о постановке на учет СМИ №13612-Г от 20.05.2013", "13612-Г"),
        ("есепке қою туралы №12804-Ж куәлігі", "12804-Ж"),
        ("Свидетельство о регистрации Эл № ФС77-60222", "Эл № ФС77-60222"),
        ("Эл №ФС77-62623", "Эл № ФС77-62623"),
        ("Свидетельство ЭЛ № ФС 77 - 76725 от 02.09.2019", "Эл № ФС77-76725"),
        ("ИА № ФС77-54686", "ИА № ФС77-54686"),
        ("ИА № ФС15-0361", "ИА № ФС15-0361"),
        ("ПИ № ТУ 20 - 00118", "ПИ № ТУ20-00118"),
        ("ПИ № ТУ 50-838", "ПИ № ТУ50-838"),
        ("ПИ № ТУ21-00328", "ПИ № ТУ21-00328"),
        ("свидетельство о регистрации СМИ №ЭЛ ФС 77-65391", "Эл № ФС77-65391"),
        ("Свидетельство о&nbsp;регистрации &#8470; ФС77-81240", "№ ФС77-81240"),
        ("Свидетельство Эл&nbsp;№&nbsp;ФС77-80691", "Эл № ФС77-80691"),
        ("Ідентифікатор медіа R40-02551", "R40-02551"),
    ],
)
def test_must_match(text, number):
    assert numbers(text) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Лицензия: KZ96LAA00035527",
        "№KZ21-12345",
        "IBAN KZ86125KZT5004100100",
        "KZ15VPY0007949",
        "XKZ15VPY000794931",
        "БИН 081040014026",
        "Иа-Иа отреагировал",
        "тел. 8-777-471-71-40",
        "в 2023-Году",
        "15-Гвардейская улица",
        "ТУ 4381-001-12345678-2010",
        "ГОСТ Р 7.0.5-2008",
        "№ 77-12345",
        "R2D2-12345 PR40-02551 R40-0255",
        # A legacy-looking number with no registration keyword nearby is an address.
        "г. Алматы, дом 150-Г, офис 12",
    ],
)
def test_must_not_match(text):
    assert numbers(text) == []


def test_other_kz_permit_codes_are_reported_not_taken():
    regs, warnings = extract_registrations("Лицензия № KZ96LAA00035527 от 01.02.2020")
    assert regs == []
    assert warnings == [
        "KZ96LAA00035527 is a Kazakhstan permit (LAA), not a media registration: not taken"
    ]


def test_two_certificates_in_one_footer_in_order():
    text = (
        "© NUR.KZ 2009-2024 Свидетельство №&nbsp;15988-ИА от&nbsp;06.05.2016&nbsp;г. "
        "Свидетельство №&nbsp;KZ26VPY00075900 от&nbsp;21.08.2023&nbsp;г. Все права защищены."
    )
    regs, _ = extract_registrations(text)
    assert [(r.number, r.kind, r.issued_on) for r in regs] == [
        ("15988-ИА", "news_agency", "2016-05-06"),
        ("KZ26VPY00075900", "media", "2023-08-21"),
    ]


def test_issue_date_and_issuer_after_the_number():
    reg = only(
        "Свидетельство о регистрации СМИ №15632-ИА выдано Комитетом связи, информатизации и "
        "информации Министерства по инвестициям и развитию Республики Казахстан 04.11.2015 г."
    )
    assert reg.issued_on == "2015-11-04"
    assert reg.issuer == (
        "Комитетом связи, информатизации и информации Министерства по инвестициям и "
        "развитию Республики Казахстан"
    )


def test_russian_issue_date_with_month_name():
    reg = only('серия Эл № ФС77-69756 от 05 мая 2017г. Учредитель: ООО "СЭС"')
    assert (reg.number, reg.kind, reg.issued_on) == ("Эл № ФС77-69756", "online", "2017-05-05")


def test_roskomnadzor_issuer():
    reg = only(
        "Свидетельство о регистрации СМИ Эл № ФС77-82669 от 18 января 2022 г., выдано "
        "Федеральной службой по надзору в сфере связи, информационных технологий и массовых "
        "коммуникаций"
    )
    assert reg.issued_on == "2022-01-18"
    assert reg.issuer.startswith("Федеральной службой по надзору")
    assert reg.country == "RU"


def test_kazakh_wording_with_date_before_the_number():
    reg = only(
        "Газет 2021 жылғы 5 наурызда ҚР Ақпарат және қоғамдық даму министрлігінің "
        "№KZ12VPY00034127 куәлігін алған."
    )
    assert reg.issued_on == "2021-03-05"
    assert reg.issuer == "ҚР Ақпарат және қоғамдық даму министрлігінің"


def test_kazakh_wording_with_year_only_has_no_issue_date():
    reg = only(
        "2022 жылы ҚР Ақпарат және қоғамдық даму министрлігі, ақпарат комитетіне "
        "KZ87VPY00050358 нөмірімен тіркеліп, «Tizgin.kz» желілік басылым куәлігін алған."
    )
    assert reg.issued_on is None


def test_the_same_number_twice_is_one_registration():
    assert numbers("Свидетельство №KZ15VPY00079493. Ещё раз: №KZ15VPY00079493") == [
        "KZ15VPY00079493"
    ]


@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    regs, warnings = extract_registrations(text)
    assert isinstance(regs, list) and isinstance(warnings, list)


@given(st.text(alphabet="KZVPY0123456789№ -–ИАГЖСТРЭлПФСУ.выданоот"))
def test_never_raises_on_number_like_text(text):
    extract_registrations(text)


# Real wordings (research/imprints.md, entries 1, 2 and 4) with the number typed in
# full-width characters or with Cyrillic look-alike letters.
NUR_FOOTER = (
    "© NUR.KZ 2009-2024 Свидетельство №&nbsp;15988-ИА от&nbsp;06.05.2016&nbsp;г. "
    "Свидетельство №&nbsp;{number} от&nbsp;21.08.2023&nbsp;г. Все права защищены."
)


@pytest.mark.parametrize(
    "typed",
    [
        "ＫＺ２６ＶＰＹ０００７５９００",  # full-width letters and digits
        "KZ２６VPY０００７５９００",  # full-width digits only
        "КZ26VРY00075900",  # Cyrillic К and Р
        "КZ２６VРY０００７５９００",  # both at once
    ],
)
def test_a_permit_typed_in_full_width_or_cyrillic_look_alikes_is_normalised(typed):
    regs, warnings = extract_registrations(NUR_FOOTER.format(number=typed))
    assert [(r.number, r.issued_on) for r in regs] == [
        ("15988-ИА", "2016-05-06"),
        ("KZ26VPY00075900", "2023-08-21"),
    ]
    assert warnings == []


def test_a_full_width_number_right_after_the_number_sign():
    text = "Фонд-бюро расследования коррупции — независимое сетевое издание. Свидетельство СМИ №ＫＺ８３ＶＰＹ０００７５１６５ от 21.08.2023."
    (reg,) = extract_registrations(text)[0]
    assert (reg.number, reg.issued_on) == ("KZ83VPY00075165", "2023-08-21")


def test_cyrillic_look_alikes_in_a_kazakh_wording():
    text = (
        "2022 жылы ҚР Ақпарат және қоғамдық даму министрлігі, ақпарат комитетіне "
        "КZ87VРY00050358 нөмірімен тіркеліп, «Tizgin.kz» желілік басылым куәлігін алған."
    )
    assert numbers(text) == ["KZ87VPY00050358"]


def test_a_look_alike_permit_of_another_kind_is_reported_normalised():
    regs, warnings = extract_registrations("Лицензия № КZ96LАA00035527 от 01.02.2020")
    assert regs == []
    assert warnings == [
        "KZ96LAA00035527 is a Kazakhstan permit (LAA), not a media registration: not taken"
    ]


def test_full_width_digits_in_a_legacy_number():
    assert numbers("Свидетельство № １５９８８-ИА от 06.05.2016 г.") == ["15988-ИА"]
