"""Extraction details: visible dates next to the headline, registration issue dates in
every position, furniture under short bodies, the JSON-LD body over a placeholder,
authors from markup. Pages and texts written for these tests."""

import json

import pytest

from pipelines.stages.boilerplate import strip_furniture
from pipelines.stages.extract import choose_body
from pipelines.stages.registrations import extract_registrations
from tests.conftest import run_chain

RU_PARAGRAPHS = [
    "В столице открылась новая школа на 1200 мест, в ней есть лаборатории и бассейн.",
    "Строительство заняло два года, на него потратили 9 млрд тенге из местного бюджета.",
    "Первые ученики придут в школу первого сентября, набор в классы уже идет.",
]
KK_PARAGRAPHS = [
    "Елордада 1200 орындық жаңа мектеп ашылды, онда зертханалар мен бассейн бар.",
    "Құрылыс екі жылға созылды, оған жергілікті бюджеттен 9 млрд теңге жұмсалды.",
    "Алғашқы оқушылар мектепке бірінші қыркүйекте келеді, сыныптарға қабылдау жүріп жатыр.",
]


def page(
    head: str = "", before: str = "", paragraphs: list[str] | None = None, after: str = ""
) -> bytes:
    text = "".join(f"<p>{p}</p>" for p in (paragraphs or RU_PARAGRAPHS))
    html = (
        f"<html><head>{head}</head><body><header><a href='/'>Главная</a></header>"
        f"<main><article><h1>Новая школа открылась в столице</h1>{before}{text}{after}"
        "</article></main><footer>© Пример 2025</footer></body></html>"
    )
    return html.encode()


def extract(body: bytes) -> dict:
    return run_chain(body, "https://example.kz/news/1", None)


# 5. Visible dates in plain elements next to the headline


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("<p>2025 жылғы 18 қараша, 09:30</p>", "2025-11-18T09:30:00+05:00"),
        ("<div>2025 жылғы 3 наурыз</div>", "2025-03-03T00:00:00+05:00"),
        ("<div><span>18 қараша 2025, 14:05</span></div>", "2025-11-18T14:05:00+05:00"),
        ("<p>18 ноября 2025, 09:30</p>", "2025-11-18T09:30:00+05:00"),
        ("<div>05.03.2024 17:45</div>", "2024-03-05T17:45:00+05:00"),
    ],
)
def test_a_date_in_a_plain_element_next_to_the_headline(printed, expected):
    record = extract(page(before=printed))
    assert record["published_at"] == expected


def test_a_marked_date_wins_over_a_plain_one():
    head = '<meta property="article:published_time" content="2025-11-17T08:00:00+05:00">'
    record = extract(page(head=head, before="<p>2025 жылғы 18 қараша, 09:30</p>"))
    assert record["published_at"] == "2025-11-17T08:00:00+05:00"


# 6. Registration issue dates in every position and language


@pytest.mark.parametrize(
    ("text", "number", "issued_on"),
    [
        ("Свидетельство о постановке на учет № 15988-ИА выдано 19.10.2023 Министерством "
         "информации", "15988-ИА", "2023-10-19"),
        ("Свидетельство о регистрации СМИ Эл № ФС77-69756 от 05 мая 2017 г.",
         "Эл № ФС77-69756", "2017-05-05"),
        ("Media registration certificate No. KZ26VPY00075900 dated 01.06.2023",
         "KZ26VPY00075900", "2023-06-01"),
        ("Registration certificate No. 16012-ИА issued on 1 June 2023 by the Ministry "
         "of Information", "16012-ИА", "2023-06-01"),
        ("Свидетельство о регистрации СМИ от 08.04.2014 Эл № ФС77-57642 выдано Роскомнадзором",
         "Эл № ФС77-57642", "2014-04-08"),
        ("Зарегистрировано Роскомнадзором, свидетельство от 12 марта 2019 г. № ФС77-75312",
         "№ ФС77-75312", "2019-03-12"),
        ("Куәлік № KZ26VPY00075900, 2023 жылғы 1 маусымда берілген", "KZ26VPY00075900",
         "2023-06-01"),
        ("Свидетельство о постановке на учет № 15988-ИА\nвыдано 19.10.2023 Министерством",
         "15988-ИА", "2023-10-19"),
        ("Свидетельство о регистрации СМИ № 17102-ИА от\n08.04.2021", "17102-ИА", "2021-04-08"),
        ("Свидетельство о регистрации СМИ от 08.04.2014\nЭл № ФС77-57642", "Эл № ФС77-57642",
         "2014-04-08"),
        ("Куәлік № KZ41VPY00081234\n2024 жылғы 9 қаңтарда берілген", "KZ41VPY00081234",
         "2024-01-09"),
    ],
)  # fmt: skip
def test_issue_date_in_every_position(text, number, issued_on):
    registrations, _ = extract_registrations(text)
    assert [(r.number, r.issued_on) for r in registrations] == [(number, issued_on)]


def test_a_date_on_an_unrelated_next_line_is_no_issue_date():
    text = "Свидетельство о регистрации СМИ Эл № ФС77-57642\nВсе права защищены, 2014-2024"
    registrations, _ = extract_registrations(text)
    assert registrations[0].issued_on is None


# 7. No furniture in short bodies


@pytest.mark.parametrize(
    ("paragraphs", "share", "related"),
    [
        (RU_PARAGRAPHS, ["Поделиться: Telegram WhatsApp"],
         ["Читайте также: В Алматы построят три новые школы до конца года"]),
        (RU_PARAGRAPHS, ["Поделиться:", "Telegram", "WhatsApp", "Facebook"],
         ["Читайте также", "В Алматы построят три новые школы", "Учителям поднимут зарплату"]),
        (RU_PARAGRAPHS, ["Telegram | WhatsApp | ВКонтакте"],
         ["Смотрите также:", "- Аким проверил ход строительства школ", "- Новые автобусы вышли на линию"]),
        (KK_PARAGRAPHS, ["Бөлісу:", "Telegram", "WhatsApp"],
         ["Оқи отырыңыз", "Алматыда үш жаңа мектеп салынады", "Мұғалімдердің жалақысы өседі"]),
        (KK_PARAGRAPHS, ["Facebook, Telegram, WhatsApp"],
         ["Тақырыпқа қатысты:", "Алматыда үш жаңа мектеп салынады"]),
    ],
)  # fmt: skip
def test_a_short_article_keeps_its_paragraphs_and_loses_share_and_related_blocks(
    paragraphs, share, related
):
    kept = strip_furniture([*paragraphs, *share, *related], None, set())
    assert kept == paragraphs


def test_related_links_inside_the_text_go_and_the_text_after_them_stays():
    lines = [
        RU_PARAGRAPHS[0],
        "Читайте также",
        "Учителям поднимут зарплату с января",
        RU_PARAGRAPHS[1],
        RU_PARAGRAPHS[2],
    ]
    assert strip_furniture(lines, None, set()) == [RU_PARAGRAPHS[0], *RU_PARAGRAPHS[1:]]


def test_a_subhead_with_paragraphs_after_it_is_not_a_related_block():
    long_paragraph = " ".join(RU_PARAGRAPHS)
    lines = [RU_PARAGRAPHS[0], "Комментарии", long_paragraph]
    assert strip_furniture(lines, None, set()) == lines


def test_short_article_through_the_chain():
    after = (
        "<div class='share'><p>Поделиться:</p><p>Telegram</p><p>WhatsApp</p></div>"
        "<p><b>Читайте также:</b></p><p><a href='/b'>В Алматы построят три новые школы</a></p>"
    )
    record = extract(page(after=after))
    assert record["body"] == "\n\n".join(RU_PARAGRAPHS)


# 8. The JSON-LD body over a placeholder or template

JSONLD_KK = " ".join(KK_PARAGRAPHS * 5)


def jsonld(body: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "articleBody": body}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


@pytest.mark.parametrize(
    "visible",
    [
        ["{{ article.lead }} {{ article.body | safe }} загружается, подождите немного"],
        ["@{{ item.text }} — текст новости появится после загрузки страницы"],
        ["Материал доступен по подписке: войдите, чтобы прочитать полностью."],
    ],
)
def test_a_placeholder_body_gives_way_to_jsonld_and_language_follows_it(visible):
    record = extract(page(head=jsonld(JSONLD_KK), paragraphs=visible))
    assert record["body"] == JSONLD_KK
    assert record["language"] == "kk"


@pytest.mark.parametrize(
    ("visible", "reason"),
    [
        ("{{ article.body }} загружается, подождите немного", "the page text is a template"),
        ("@{{ news.text }} текст появится после загрузки", "the page text is a template"),
        ("Загрузка материала, подождите немного", "the page text is a placeholder"),
        ("Бұл материалды толық оқу үшін жазылыңыз. " * 2, "the page text is a placeholder"),
        ("\n\n".join(RU_PARAGRAPHS), "the page text has 39 words, JSON-LD 160"),
    ],
)
def test_choose_body_takes_jsonld_and_says_why(visible, reason):
    body, warning = choose_body(visible, JSONLD_KK)
    assert body == JSONLD_KK
    assert warning == f"body: from JSON-LD articleBody ({reason})"


def test_the_page_text_stays_when_jsonld_is_not_much_longer():
    body, warning = choose_body("\n\n".join(RU_PARAGRAPHS), " ".join(RU_PARAGRAPHS * 2))
    assert body == "\n\n".join(RU_PARAGRAPHS)
    assert warning is None


def test_a_template_without_jsonld_gives_no_body():
    body, warning = choose_body("{{ article.body }} и ещё несколько слов шаблона", None)
    assert body is None
    assert warning == "body: the page text is an unfilled template"


# 9. Authors from markup where JSON-LD has none


@pytest.mark.parametrize(
    ("markup", "author"),
    [
        ('<span itemprop="author">Айгерим Садыкова</span>', "Айгерим Садыкова"),
        ('<div itemprop="author" itemscope><span itemprop="name">Ерлан Жүнісұлы</span>'
         '<span itemprop="jobTitle">тілші</span></div>', "Ерлан Жүнісұлы"),
        ('<a rel="author" href="/authors/7">Марат Оспанов</a>', "Марат Оспанов"),
        ('<div class="article__author">Ольга Петрова</div>', "Ольга Петрова"),
        ("<p>Автор: Динара Ахметова</p>", "Динара Ахметова"),
        ("<p>Авторы: Асель Нурланова</p>", "Асель Нурланова"),
        ('<p class="photo-author">Автор фото: Тимур Ким</p><p>Автор: Динара Ахметова</p>',
         "Динара Ахметова"),
        ('<div class="author">Нұрлан Әбдіков 18 қараша 2025</div>', "Нұрлан Әбдіков"),
    ],
)  # fmt: skip
def test_authors_from_markup(markup, author):
    assert extract(page(before=markup))["author"] == author


def test_a_photo_credit_alone_is_no_author():
    record = extract(page(before="<p>Автор фото: Тимур Ким</p>"))
    assert record["author"] is None


def test_comment_authors_are_not_article_authors():
    after = '<div class="comments"><span itemprop="author">Гость</span></div>'
    assert extract(page(after=after))["author"] is None


def test_the_jsonld_author_wins_over_markup():
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "author": {"@type": "Person", "name": "Гульнара Бекова"},
    }
    head = f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
    record = extract(page(head=head, before="<p>Автор: Динара Ахметова</p>"))
    assert record["author"] == "Гульнара Бекова"
