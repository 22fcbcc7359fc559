"""Real saved pages: the Russian pages of the public article-extraction benchmark in
../shared (skipped where it is not beside the project)."""

from __future__ import annotations

import gzip
import json

from pipelines.page import Page
from pipelines.stages.chain import extract_page
from tests.conftest import BENCHMARK, FETCHED_AT


def benchmark_page(url_part: str) -> dict:
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    (page_id,) = [pid for pid, entry in truth.items() if url_part in entry["url"]]
    html = gzip.decompress((BENCHMARK / "html" / f"{page_id}.html.gz").read_bytes())
    page = Page(url=truth[page_id]["url"], body=html, fetched_at=FETCHED_AT)
    return extract_page(page).article.as_dict()


def test_wday_ru_imprint_and_roskomnadzor_number():
    record = benchmark_page("id119898")
    assert record["publisher"] == {
        "name": "ООО «Хёрст Шкулёв Паблишинг»",
        "editor_in_chief": "Дудина Виктория Жоржевна",
        "owner": "общество с ограниченной ответственностью «Хёрст Шкулёв Паблишинг»",
        "phones": ["+74956335633"],
        "emails": ["wday.ru_legal@hspub.ru"],
        "address": None,
    }
    (registration,) = record["registrations"]
    assert (
        registration["number"],
        registration["country"],
        registration["kind"],
        registration["issued_on"],
    ) == (
        "Эл № ФС77-67790",
        "RU",
        "online",
        "2016-12-13",
    )
    assert registration["issuer"].startswith("Федеральной службой по надзору в сфере связи")
    assert record["published_at"] == "2018-09-24T16:45:00+03:00"
    assert record["language"] == "ru"
    assert "Свидетельство о регистрации" not in record["body"]


def test_page_without_imprint_says_so():
    record = benchmark_page("dieta-atkinsa")
    assert record["publisher"]["emails"] == ["vse-diety@mail.ru"]
    assert record["registrations"] == []
    assert "no imprint (editor-in-chief or registration) on this page" in record["warnings"]
