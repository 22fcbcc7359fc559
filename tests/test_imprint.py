import pytest

from pipelines.stages.imprint import (
    decode_cfemail,
    extract_imprint,
    find_emails,
    find_phones,
    read_emails,
    read_imprint,
)
from tests.conftest import run_chain
from tests.crawlsite import article_html


def test_seed_footer(seed_text):
    footer = "\n".join(seed_text.splitlines()[-4:])
    publisher = extract_imprint(footer)
    assert publisher.as_dict() == {
        "name": None,
        "editor_in_chief": "Мадина Жатканбаева",
        "owner": None,
        "phones": ["+77774717140"],
        "emails": ["777kakon@mail.ru"],
        "address": None,
    }


@pytest.mark.parametrize(
    ("text", "editor"),
    [
        ("Главный редактор: Мадина Жатканбаева", "Мадина Жатканбаева"),
        ("Гл. ред. Иванов И.И.", "Иванов И.И."),
        ("И.о. главного редактора — Асель Нурланова", "Асель Нурланова"),
        ("Шеф-редактор: Данияр Ахметов | Реклама: ads@site.kz", "Данияр Ахметов"),
        ("Бас редактор: Ерлан Жүнісұлы", "Ерлан Жүнісұлы"),
        ("Editor-in-chief: John Smith; Owner: Astana Media LLP", "John Smith"),
        ("Главный редактор: Гуторов М.Ю., Телефон: +7 (499) 706 89 79", "Гуторов М.Ю."),
    ],
)
def test_editor_in_chief_wordings(text, editor):
    assert extract_imprint(text).editor_in_chief == editor


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        ("Учредитель: ТОО «Медиа Холдинг»; Главный редактор Иванов И.И.", "ТОО «Медиа Холдинг»"),
        ("Собственник: АО «Казинформ»", "АО «Казинформ»"),
        ("Меншік иесі: «Егемен Қазақстан» АҚ", "«Егемен Қазақстан» АҚ"),
        ("Құрылтайшы: «Tizgin Media» ЖШС", "«Tizgin Media» ЖШС"),
        ("Owner: Astana Media LLP", "Astana Media LLP"),
        # "Издательский" must not be read as the role "Издатель".
        ("Учредитель: ООО «Издательский Дом «ЭКОС». Главный редактор: Шишмарева Л.П.",
         "ООО «Издательский Дом «ЭКОС»"),
    ],
)  # fmt: skip
def test_owner_wordings(text, owner):
    assert extract_imprint(text).owner == owner


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("8 (7172) 74-36-12", "+77172743612"),
        ("+7 777 471 71 40", "+77774717140"),
        ("+7 (727) 2-71-71-71", "+77272717171"),
        ("тел.: 8-7172-55-55-55", "+77172555555"),
        ("8 701 123 45 67", "+77011234567"),
        ("+7 (499) 706 89 79", "+74997068979"),
    ],
)
def test_phones_in_e164(text, phone):
    assert find_phones(text) == [phone]


def test_numbers_that_are_not_phones():
    assert find_phones("БИН 081040014026, 2023 1234 5678") == []


def test_tel_links_count_too():
    assert find_phones("", ["tel:+77273468049", "/contacts"]) == ["+77273468049"]


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("e-mail: info@zakon.kz.", "info@zakon.kz"),
        ("info[at]corp.nur.kz", "info@corp.nur.kz"),
        ("info(at)luki.ru", "info@luki.ru"),
        ("editor (собака) corp точка nur точка kz", "editor@corp.nur.kz"),
        ("press [at] gov [dot] kz", "press@gov.kz"),
    ],
)
def test_emails_and_their_disguises(text, email):
    assert find_emails(text) == [email]


def test_mailto_links():
    assert find_emails("", ["mailto:Editor@Corp.Nur.kz?subject=hi"]) == ["editor@corp.nur.kz"]


def test_cloudflare_protected_email():
    key = 0x42
    encoded = bytes([key]) + bytes(b ^ key for b in b"info@kapital.kz")
    assert decode_cfemail(encoded.hex()) == "info@kapital.kz"
    assert find_emails("", ["/cdn-cgi/l/email-protection#" + encoded.hex()]) == ["info@kapital.kz"]


def test_address_line():
    text = "Адрес редакции: 050004, г. Алматы, ул. Фурманова, 51, тел. +7 727 273-28-85"
    assert extract_imprint(text).address == "050004, г. Алматы, ул. Фурманова, 51"


def test_jsonld_publisher_contact_point_and_address():
    publisher = extract_imprint(
        "",
        jsonld_publisher={
            "@type": "NewsMediaOrganization",
            "name": "NUR.KZ",
            "contactPoint": {"telephone": "+7 (727) 339-80-38", "email": "editor@corp.nur.kz"},
            "address": {
                "postalCode": "050004",
                "addressLocality": "Алматы",
                "streetAddress": "Фурманова, 51",
            },
        },
    )
    assert (publisher.name, publisher.phones, publisher.emails, publisher.address) == (
        "NUR.KZ",
        ["+77273398038"],
        ["editor@corp.nur.kz"],
        "050004, Алматы, Фурманова, 51",
    )


def test_copyright_holder_names_the_publisher_when_nothing_else_does():
    text = "© ТОО «Internet Portal Nur», 2009-2018\nРеспублика Казахстан, 050060"
    assert extract_imprint(text).name == "ТОО «Internet Portal Nur»"


def test_site_name_wins_over_copyright_line():
    assert extract_imprint("© 2024 ТОО «Медиа»", site_name="Kapital.kz").name == "Kapital.kz"


# The seed footer's mailbox typed with a Cyrillic "а" (U+0430): cut at that letter, the
# address would be "kon@mail.ru", somebody else's.
LOOK_ALIKE_FOOTER = (
    "Главный редактор: Мадина Жатканбаева\nТел.: +7 777 471 71 40, e-mail: 777k\u0430kon@mail.ru"
)


def test_an_email_with_a_cyrillic_look_alike_is_kept_whole_in_latin_with_a_warning():
    publisher, warnings = read_imprint(LOOK_ALIKE_FOOTER)
    assert publisher.emails == ["777kakon@mail.ru"]
    assert warnings == [
        "e-mail 777k\u0430kon@mail.ru has Cyrillic look-alike letters: read as 777kakon@mail.ru"
    ]


@pytest.mark.parametrize(
    "text",
    [
        # nur.kz's 2018 footer wording (research/imprints.md), Cyrillic е and о inside.
        "Связь с редакцией: тел.\u00a0+7 (727) 346 80 41 email\u00a0\u0435ditor@c\u043erp.nur.kz",
        "e-mail: 777k\u0430kon [at] mail.ru",
        "mailto-less footer: редакция 777k\u0430kon (собака) mail точка ru",
    ],
)
def test_no_fragment_of_a_look_alike_email_is_ever_taken(text):
    emails, warnings = read_emails(text)
    assert all(email in ("editor@corp.nur.kz", "777kakon@mail.ru") for email in emails)
    assert len(emails) == 1 and len(warnings) == 1


def test_an_email_glued_to_a_cyrillic_word_is_dropped_not_cut():
    emails, warnings = read_emails("Пишите нам: редакцияinfo@corp.nur.kz")
    assert emails == []
    assert warnings == ["e-mail редакцияinfo@corp.nur.kz mixes alphabets: not taken"]


def test_a_look_alike_in_a_mailto_link():
    assert read_emails("", ["mailto:\u0435ditor@corp.nur.kz"]) == (
        ["editor@corp.nur.kz"],
        [
            "e-mail \u0435ditor@corp.nur.kz has Cyrillic look-alike letters: read as editor@corp.nur.kz"
        ],
    )


def test_an_address_in_cyrillic_is_not_a_latin_one_misspelt():
    assert read_emails("почта: почта@сайт.рф") == ([], [])
    assert read_emails("почта: info@сайт.рф") == (
        [],
        ["e-mail info@сайт.рф mixes alphabets: not taken"],
    )


def test_the_look_alike_warning_reaches_the_article_record():
    body = (
        article_html(1)
        .decode()
        .replace("</footer>", "<p>E-mail: 777k\u0430kon@mail.ru</p></footer>")
        .encode()
    )
    record = run_chain(body, "https://example.kz/news/1-a.html", None)
    assert record["publisher"]["emails"] == ["777kakon@mail.ru"]
    assert (
        "e-mail 777k\u0430kon@mail.ru has Cyrillic look-alike letters: read as 777kakon@mail.ru"
        in record["warnings"]
    )
