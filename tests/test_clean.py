from hypothesis import example, given
from hypothesis import strategies as st

from pipelines.stages.clean import (
    clean_line,
    clean_paragraphs,
    normalize_characters,
    repair_cp1251_read_as_latin1,
    repair_lookalikes,
)


def test_entities_become_characters_even_double_escaped():
    assert clean_line("Свидетельство о&nbsp;регистрации &#8470; ФС77-81240") == (
        "Свидетельство о регистрации № ФС77-81240"
    )
    assert clean_line("&amp;quot;Казинформ&amp;quot;") == '"Казинформ"'


def test_nbsp_and_narrow_nbsp_become_spaces():
    assert normalize_characters("1\u00a0000\u202fтенге") == "1 000 тенге"


def test_soft_hyphens_and_zero_width_characters_are_removed():
    assert normalize_characters("Пра\u00adви\u200bтель\u2060ство\ufeff") == "Правительство"


def test_numero_sign_survives_normalisation():
    # NFKC would turn № into "No" and break every registration number.
    assert "№KZ15VPY00079493" in normalize_characters("№KZ15VPY00079493")


def test_latin_lookalikes_in_russian_words_are_repaired():
    # "Kaзахстан" with a Latin K, "пpавительство" with a Latin p.
    assert repair_lookalikes("Kaзахстан и пpавительство") == "Казахстан и правительство"


def test_latin_i_in_kazakh_words_becomes_kazakh_i():
    # "бiлiм" typed with Latin i: Kazakh words take і (U+0456), not Latin i.
    assert repair_lookalikes("бiлiм және ғылым") == "білім және ғылым"


def test_latin_words_and_registration_numbers_are_left_alone():
    text = "KZ15VPY00079493 KazMunayGas Alstom"
    assert repair_lookalikes(text) == text


def test_utf8_read_as_cp1251_is_repaired():
    broken = "Главный редактор".encode().decode("cp1251")
    assert clean_line(broken) == "Главный редактор"


def test_cp1251_read_as_latin1_is_repaired():
    broken = "Главный редактор".encode("cp1251").decode("latin-1")
    assert repair_cp1251_read_as_latin1(broken) == "Главный редактор"


def test_accented_latin_text_is_not_taken_for_mojibake():
    assert repair_cp1251_read_as_latin1("opiniões e histórias") == "opiniões e histórias"


def test_paragraphs_are_separated_by_one_blank_line():
    text = "  Первый   абзац.\n\n\n\nВторой\tабзац. \n"
    assert clean_paragraphs(text) == "Первый абзац.\n\nВторой абзац."


def test_empty_text_is_none():
    assert clean_line(" \u00a0 ") is None
    assert clean_paragraphs("\n\n") is None


@given(st.text())
@example("\xadÀ\x86")  # a soft hyphen hid this mojibake from ftfy on the first pass
@example("\xa0À\x86")  # so did a no-break space (Hypothesis, on a fresh clone)
@example("Â\t0")  # a tab that tidying made a space: "Â " is a broken no-break space
def test_cleaning_never_raises_and_is_idempotent(text):
    once = clean_paragraphs(text)
    assert clean_paragraphs(once) == once if once is not None else True
    line = clean_line(text)
    assert clean_line(line) == line


@given(st.text(alphabet="аеорсухАВЕКМНОРСТХaeopcyxABEKMHOPCTXіiһhәқ №-\u00a0\u00ad&;#0123456789"))
def test_cleaning_is_idempotent_on_mixed_scripts(text):
    once = normalize_characters(text)
    assert normalize_characters(once) == once
