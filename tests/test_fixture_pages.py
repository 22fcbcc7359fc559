"""Every saved page through the chain with its own site config, field by field against
the expected output saved beside it (PAGE.json next to PAGE.html).

A folder under fixtures/ is named by the slug of a config in newsbot/sites, and its
pages run with that config: its selectors, time zone, language and name. Pages of sites
with no config live in fixtures/_unconfigured/ and run with none.

Each JSON was written from the chain's output and then read against its page by eye.
Where the chain is wrong, the JSON holds the right value and names the field under
"chain_errors" with the reason: that field's test is an expected failure (strict, so it
says so once the chain is fixed) rather than a wrong value kept as right.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from newsbot.sites.config import bundled_configs
from tests.conftest import FIXTURES, UNCONFIGURED, extract_with_config

PAGES = sorted(path.relative_to(FIXTURES).as_posix() for path in FIXTURES.rglob("*.html"))
# Fields the chain reports about itself rather than about the page.
NOT_EXPECTED = {"warnings"}


def slug_of(page: str) -> str | None:
    folder = page.split("/", 1)[0]
    return None if folder == UNCONFIGURED else folder


@functools.cache
def expected_output(page: str) -> dict[str, Any]:
    return json.loads((FIXTURES / page).with_suffix(".json").read_text(encoding="utf-8"))


@functools.cache
def chain_output(page: str) -> dict[str, Any]:
    return extract_with_config(page, expected_output(page)["url"], slug_of(page))


def expected_fields(page: str) -> list[str]:
    return [key for key in expected_output(page) if key != "chain_errors"]


def field_cases() -> list[Any]:
    cases = []
    for page in PAGES:
        errors = expected_output(page).get("chain_errors", {})
        for field in expected_fields(page):
            marks = (
                [pytest.mark.xfail(strict=True, reason=errors[field])] if field in errors else []
            )
            cases.append(pytest.param(page, field, id=f"{page}:{field}", marks=marks))
    return cases


def test_every_fixture_folder_is_a_config_slug():
    folders = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert folders - {UNCONFIGURED} <= set(bundled_configs())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_its_expected_output(page: str):
    assert (FIXTURES / page).with_suffix(".json").is_file()
    unknown = set(expected_output(page).get("chain_errors", {})) - set(expected_fields(page))
    assert not unknown, f"chain_errors names fields with no expected value: {unknown}"
    assert set(expected_fields(page)) == set(chain_output(page)) - NOT_EXPECTED


@pytest.mark.parametrize("page", [page for page in PAGES if slug_of(page)])
def test_the_page_is_read_under_an_article_url_of_its_site(page: str):
    config = bundled_configs()[slug_of(page) or ""]
    assert config.article_url.search(expected_output(page)["url"])


@pytest.mark.parametrize(("page", "field"), field_cases())
def test_field(page: str, field: str):
    expected = expected_output(page)[field]
    got = chain_output(page)[field]
    if field != "body":
        assert got == expected
        return
    assert got is not None
    assert got.startswith(expected["first_sentence"])
    assert got.endswith(expected["last_sentence"])
    assert len(got.split("\n\n")) == expected["paragraphs"]


NUR_PAGE = "nur_ru/article.html"
NUR_URL = expected_output(NUR_PAGE)["url"]
PM_PAGE = "primeminister_ru/press-release.html"
PM_URL = expected_output(PM_PAGE)["url"]


def test_the_config_time_zone_takes_effect():
    # The page stamps 12:20+06:00. nur_ru's zone, Asia/Almaty, has been +05 since March 2024.
    assert extract_with_config(NUR_PAGE, NUR_URL, "nur_ru")["published_at"] == (
        "2024-04-18T11:20:00+05:00"
    )
    moscow = extract_with_config(NUR_PAGE, NUR_URL, "nur_ru", timezone="Europe/Moscow")
    assert moscow["published_at"] == "2024-04-18T09:20:00+03:00"
    assert moscow["published_at_utc"] == "2024-04-18T06:20:00Z"


def test_the_config_selectors_take_effect():
    record = extract_with_config(
        PM_PAGE,
        PM_URL,
        "primeminister_ru",
        selectors={"title": ".news-other h3", "body": ".news-detail__text p:last-child"},
    )
    assert record["title"] == "Другие новости"
    assert record["body"] == (
        "По итогам заседания план мероприятий одобрен. "
        "Контроль за исполнением поручений возложен на Канцелярию Премьер-Министра."
    )


def test_a_page_with_no_config_keeps_its_printed_offset_and_its_host():
    page = f"{UNCONFIGURED}/luki_ru-article.html"
    record = extract_with_config(page, "https://luki.ru/news/most-lovat.html", None)
    assert (record["site"], record["published_at"]) == ("luki.ru", "2023-06-07T09:15:00+03:00")
