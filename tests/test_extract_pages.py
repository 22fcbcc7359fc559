"""The whole stage chain on saved pages, one kind of page per test.

The pages under fixtures/ are synthetic, built on the layouts and the footer, imprint
and attribution wordings collected in ../shared/research (see fixtures/README.md).
"""

from tests.conftest import extract_fixture


def test_government_press_release():
    record = extract_fixture(
        "primeminister_ru/press-release.html",
        "https://primeminister.kz/ru/news/pravitelstvo-odobrilo-plan-razvitiya-2811",
    )
    assert (
        record["title"]
        == "Правительство одобрило план развития транзитного потенциала до 2030 года"
    )
    assert record["published_at"] == "2024-11-19T11:05:00+05:00"
    assert record["published_at_utc"] == "2024-11-19T06:05:00Z"
    assert record["body"].startswith("На заседании Правительства под председательством")
    assert record["body"].endswith("возложен на Канцелярию Премьер-Министра.")
    assert record["body"].count("\n\n") == 4  # five paragraphs
    for furniture in ("Поделиться", "Другие новости", "Дом Правительства", "Премьер-Министр\n"):
        assert furniture not in record["body"]
    assert record["language"] == "ru"
    assert record["source"] is None
    assert record["publisher"] == {
        "name": "Primeminister.kz",
        "editor_in_chief": None,
        "owner": None,
        "phones": ["+77172743612"],
        "emails": [],
        "address": "010000, г. Астана, Дом Правительства, ул. Мангилик Ел, 8",
    }
    assert record["registrations"] == []
    assert (
        record["image_url"] == "https://primeminister.kz/assets/media/zasedanie-pravitelstva-1.jpg"
    )


def test_outlet_with_two_certificates_and_jsonld():
    record = extract_fixture(
        "nur_ru/article.html",
        "https://www.nur.kz/politics/kazakhstan/2086925-antikor-vernul-gosudarstvu-bolee-17-mlrd-tenge/",
    )
    assert record["title"] == "Антикор вернул государству более 17 млрд тенге с начала года"
    assert record["author"] == "Айгерим Тулегенова"
    assert record["section"] == "Казахстан"
    assert record["tags"] == ["Антикор", "коррупция"]
    # No site config applies here, so the offset the page printed is kept as it is.
    assert record["published_at"] == "2024-04-18T12:20:00+06:00"
    assert record["published_at_utc"] == "2024-04-18T06:20:00Z"
    assert record["modified_at"] == "2024-04-18T13:05:00+06:00"
    assert [(r["number"], r["kind"], r["issued_on"]) for r in record["registrations"]] == [
        ("15988-ИА", "news_agency", "2016-05-06"),
        ("KZ26VPY00075900", "media", "2023-08-21"),
    ]
    assert record["publisher"]["name"] == "NUR.KZ"
    assert record["publisher"]["emails"] == ["editor@corp.nur.kz"]
    # The JSON-LD phone, then the tel: link, which on nur.kz is a different number.
    assert record["publisher"]["phones"] == ["+77273398038", "+77273468049"]
    # "передает NUR.KZ" is the outlet's own signature; the agency's channel is the source.
    assert record["source"] == {
        "name": "Агентство по противодействию коррупции",
        "phrase": "сообщается в Telegram-канале Агентства по противодействию коррупции",
    }
    assert "Читайте также" not in record["body"]
    assert "Свидетельство" not in record["body"]


def test_kazakh_page():
    record = extract_fixture("egemen_kk/article.html", "https://egemen.kz/article/380112-astanada")
    assert record["language"] == "kk"
    assert record["published_at"] == "2025-11-18T09:30:00+05:00"
    assert record["source"] == {"name": "ҚазАқпарат", "phrase": "деп хабарлайды ҚазАқпарат"}
    publisher = record["publisher"]
    assert publisher["editor_in_chief"] == "Ерлан Жүнісұлы"
    assert publisher["emails"] == ["info@egemen.kz"]
    assert publisher["phones"] == ["+77172376519"]
    assert publisher["address"] == "Астана қаласы, Мәскеу көшесі, 39"
    assert [(r["number"], r["issued_on"]) for r in record["registrations"]] == [
        ("KZ12VPY00034127", "2021-03-05")
    ]
    assert "Бөлісу" not in record["body"]


def test_russian_page_with_roskomnadzor_number():
    record = extract_fixture(
        "_unconfigured/luki_ru-article.html", "https://luki.ru/news/most-lovat.html"
    )
    (registration,) = record["registrations"]
    assert registration["number"] == "Эл № ФС77-47201"
    assert registration["country"] == "RU"
    assert registration["issued_on"] == "2011-11-03"
    assert registration["issuer"].startswith("Федеральной службой по надзору в сфере связи")
    assert record["publisher"]["editor_in_chief"] == "Петров С.В."
    assert record["publisher"]["owner"] == "ООО «Луки.ру»"
    assert record["publisher"]["emails"] == ["info@luki.ru"]
    # No site config: the page's own offset (Moscow) is kept.
    assert record["published_at"] == "2023-06-07T09:15:00+03:00"
    assert record["author"] == "Ольга Смирнова"
    assert record["image_url"] == "https://luki.ru/images/most-lovat.jpg"
    assert "Наконец-то" not in record["body"]  # comments are not the article


def test_cp1251_page_declared_in_meta():
    record = extract_fixture(
        "zakon_ru/article-cp1251.html", "https://www.zakon.kz/6420001-gripp.html"
    )
    assert record["title"] == "Минздрав: заболеваемость гриппом в Алматы выросла на 12%"
    assert record["body"].startswith("В Алматы за неделю зарегистрировано 4,8 тыс. случаев")
    assert record["published_at"] == "2024-01-12T10:45:00+06:00"  # UTC+6 before March 2024
    assert record["publisher"]["address"] == "050004, Алматы, Фурманова, 51"
    assert record["warnings"].count("no author found") == 1


def test_cp1251_page_without_any_declaration():
    declared = extract_fixture("zakon_ru/article-cp1251.html", "https://www.zakon.kz/a.html")
    undeclared = extract_fixture(
        "zakon_ru/article-cp1251-undeclared.html", "https://www.zakon.kz/a.html"
    )
    assert undeclared["body"] == declared["body"]
    assert undeclared["title"] == declared["title"]
    assert any(w.startswith("charset:") for w in undeclared["warnings"])


def test_english_page():
    record = extract_fixture(
        "primeminister_en/press-release.html",
        "https://primeminister.kz/en/news/kazakhstan-and-france-sign-agreements-2790",
    )
    assert record["language"] == "en"
    assert record["title"] == "Kazakhstan and France sign agreements worth $1.2 billion"
    assert record["published_at"] == "2024-11-05T15:20:00+05:00"
    assert record["canonical_url"] == (
        "https://primeminister.kz/en/news/kazakhstan-and-france-sign-agreements-worth-12-billion-2790"
    )
    assert record["body"].endswith("over nine months of this year.")
    assert record["publisher"]["name"] == "Primeminister.kz"
