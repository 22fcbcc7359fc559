import pytest

from pipelines.stages.attribution import find_source


def test_seed_article_credits_primeminister(seed_text):
    source = find_source(seed_text)
    assert source is not None
    assert source.as_dict() == {"name": "Primeminister.kz", "phrase": "сообщает Primeminister.kz"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Об этом сообщает Primeminister.kz.", "Primeminister.kz"),
        ("Как передает корреспондент Kazinform из зала суда, решение принято.", "Kazinform"),
        ("Как передает корреспондент «Росбалта», решение принято.", "Росбалта"),
        ("Об этом сообщает пресс-служба Министерства здравоохранения РК.", "пресс-служба Министерства здравоохранения РК"),
        ("Об этом пишет Tengrinews.kz.", "Tengrinews.kz"),
        ("Об этом информирует Zakon.kz", "Zakon.kz"),
        ("Решение принято, со ссылкой на Reuters сообщили СМИ.", "Reuters"),
        ("По данным МВД, число преступлений снизилось.", "МВД"),
        ('"…более 17 млрд тенге", - сообщили в агентстве.', "агентство"),
        ("Бұл туралы Kazinform тілшісі хабарлайды.", "Kazinform"),
        ("Жаңа мектеп ашылды, деп жазады Tengrinews.kz.", "Tengrinews.kz"),
        ("ҚазАқпарат мәліметінше, жиынға 200 адам қатысты.", "ҚазАқпарат"),
        ("The decision was made, according to Kazinform.", "Kazinform"),
    ],
)  # fmt: skip
def test_attribution_phrases(text, name):
    source = find_source(text)
    assert source is not None and source.name == name


def test_the_outlet_itself_is_not_a_source():
    text = "Антикор подвел итоги, передает NUR.KZ со ссылкой на агентство."
    assert find_source(text, own_names=["NUR.KZ", "nur.kz"]) is None


def test_the_first_credited_source_wins_after_skipping_the_outlet():
    text = (
        "Итоги подведены, передает NUR.KZ. Как сообщается в Telegram-канале Агентства по "
        "противодействию коррупции, ущерб возмещен."
    )
    source = find_source(text, own_names=["nur.kz"])
    assert source is not None
    assert source.name == "Агентство по противодействию коррупции"


def test_text_without_attribution():
    assert find_source("Сегодня прошло заседание правительства.") is None
    assert find_source("") is None
