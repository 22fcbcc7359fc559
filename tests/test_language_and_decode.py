import pytest

from pipelines.stages.decode import decode_page
from pipelines.stages.language import detect_language

RUSSIAN = "Правительство Казахстана обсудило вопросы развития транспортной отрасли и локализации."
KAZAKH = "Елордада оқу жылының екінші тоқсанында үш жаңа мектеп пайдалануға берілді."
ENGLISH = "Prime Minister Olzhas Bektenov met with a delegation of French companies in Astana."


@pytest.mark.parametrize(("text", "language"), [(RUSSIAN, "ru"), (KAZAKH, "kk"), (ENGLISH, "en")])
def test_language_from_letters(text, language):
    assert detect_language(text) == language


def test_russian_text_with_kazakh_names_stays_russian():
    text = RUSSIAN + " В Шымкенте и Өскемене, сообщил аким Қайрат Нұрланов."
    assert detect_language(text) == "ru"


def test_too_little_text_has_no_language():
    assert detect_language("ОК") is None
    assert detect_language(None) is None


PAGE = f"<html><body><p>{RUSSIAN} Главный редактор: Мадина Жатканбаева.</p></body></html>"


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [
        ("cp1251", "windows-1251"),
        ("cp1251", None),
        ("koi8-r", None),
        ("utf-8", "windows-1251"),
        ("cp1251", "utf-8"),
        ("koi8-r", "windows-1251"),
    ],
)
def test_pages_decode_right_whatever_the_declaration(encoding, declared):
    assert RUSSIAN in decode_page(PAGE.encode(encoding), declared).text


def test_a_wrong_declaration_is_reported():
    decoded = decode_page(PAGE.encode("utf-8"), "windows-1251")
    assert decoded.warnings == ["charset: declared or guessed cp1251, decoded as utf_8"]


def test_accented_latin_pages_are_not_redecoded():
    page = "<p>Os materiais educativos são opiniões e histórias para crianças.</p>" * 5
    assert decode_page(page.encode("cp1252"), "windows-1252").text == page


def test_empty_and_binary_bodies():
    assert decode_page(b"").warnings == ["empty page"]
    assert decode_page(b"\x89PNG\r\n\x1a\n" + bytes(300)).warnings == [
        "not a text page: binary content"
    ]
