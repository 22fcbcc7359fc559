"""`newsbot extract` as a user runs it: a real process, exact JSON on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.article import ARTICLE_FIELDS
from tests.conftest import ROOT

SEED_PAGE = ROOT / "newsbot" / "samples" / "seed-article.html"


def run_extract(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "extract", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def extracted(*args: str, stdin: bytes | None = None) -> dict:
    result = run_extract(*args, stdin=stdin)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def test_seed_article_page(seed_text):
    record = extracted(
        str(SEED_PAGE), "--url", "https://kakon.kz/ekonomika/olzhas-bektenov-alstom-wabtec"
    )
    assert tuple(record) == ARTICLE_FIELDS
    assert (
        record["title"]
        == "Олжас Бектенов обсудил с Alstom и Wabtec локализацию производства локомотивов"
    )
    assert record["published_at"] == "2024-11-14T16:40:00+05:00"
    article_paragraphs = seed_text.splitlines()[:4]
    assert record["body"] == "\n\n".join(article_paragraphs)  # the body without the footer
    assert record["source"] == {"name": "Primeminister.kz", "phrase": "сообщает Primeminister.kz"}
    assert record["publisher"]["editor_in_chief"] == "Мадина Жатканбаева"
    assert record["publisher"]["phones"] == ["+77774717140"]
    assert record["publisher"]["emails"] == ["777kakon@mail.ru"]
    (registration,) = record["registrations"]
    assert (registration["number"], registration["issued_on"]) == ("KZ15VPY00079493", "2023-10-19")


def test_standard_input():
    record = extracted("-", "--url", "https://kakon.kz/x", stdin=SEED_PAGE.read_bytes())
    assert record["publisher"]["editor_in_chief"] == "Мадина Жатканбаева"
    assert record["url"] == "https://kakon.kz/x"


def test_missing_path_is_a_one_line_error(tmp_path: Path):
    result = run_extract(str(tmp_path / "nope.html"))
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode().strip() == f"newsbot: {tmp_path / 'nope.html'}: no such file"


def test_unknown_site_is_a_one_line_error():
    result = run_extract(str(SEED_PAGE), "--site", "no_such_site")
    assert result.returncode == 2
    assert result.stderr.decode().count("\n") == 1


@pytest.mark.parametrize(
    ("content", "warning"),
    [
        (b"", "empty page"),
        (bytes(range(256)) * 64, "not a text page: binary content"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no body found"),
        (b"<html><body><div><p>Unclosed <b>bold <i>text<div></table></p>", "no title found"),
    ],
)
def test_bad_input_still_gives_the_json_object(tmp_path: Path, content: bytes, warning: str):
    page = tmp_path / "page.html"
    page.write_bytes(content)
    record = extracted(str(page))
    # Every field of the contract, in order; then why a crawl would not store the page.
    assert tuple(record)[: len(ARTICLE_FIELDS)] == ARTICLE_FIELDS
    assert set(record) - set(ARTICLE_FIELDS) <= {"not_article"}
    assert warning in record["warnings"]
    assert record["registrations"] == []


def test_broken_markup_keeps_the_text(tmp_path: Path):
    page = tmp_path / "broken.html"
    text = "Правительство утвердило план развития дорог на 2025 год. " * 8
    page.write_text(
        f"<html><head><title>План дорог</title><body><div><p>{text}<p>{text}</div></tabl",
        encoding="utf-8",
    )
    record = extracted(str(page))
    assert record["title"] == "План дорог"
    assert "Правительство утвердило план" in record["body"]


def test_a_20_megabyte_page_answers(tmp_path: Path):
    page = tmp_path / "huge.html"
    paragraph = "<p>" + "Очень длинная страница без конца и края. " * 50 + "</p>\n"
    page.write_text(
        "<html><head><title>Огромная</title></head><body>" + paragraph * 10_000 + "</body></html>",
        encoding="utf-8",
    )
    assert page.stat().st_size > 20_000_000
    record = extracted(str(page))
    assert record["title"] == "Огромная"
    assert any("MB of text" in warning for warning in record["warnings"])


# DESIGN.md's item contract: the fields scripts outside newsbot rely on.
DESIGN_CONTRACT = {
    "url", "canonical_url", "site", "title", "lead", "body", "author", "section", "tags",
    "image_url", "published_at", "published_at_utc", "modified_at", "language", "source",
    "publisher", "registrations", "warnings",
}  # fmt: skip


def test_the_article_record_keeps_every_field_of_the_contract():
    assert set(ARTICLE_FIELDS) >= DESIGN_CONTRACT


def test_a_page_the_crawl_would_drop_says_so():
    # A rubric page of the local press office: links to releases, no prose of its own.
    from tests.reprintsites import RELEASES

    links = "".join(
        f'<li><a href="{path}">{title}</a></li>' for path, (title, _, _) in RELEASES.items()
    )
    listing = (
        f"<html><head><title>Новости — Primeminister.kz</title></head><body><h1>Новости"
        f"</h1><ul>{links}</ul></body></html>"
    ).encode()
    result = run_extract("-", "--url", "https://primeminister.kz/ru/news", stdin=listing)
    assert result.returncode == 0
    record = json.loads(result.stdout)
    assert record["not_article"].startswith("a listing")
    assert result.stderr.decode().startswith("newsbot extract: not an article: a listing")
    # An article is printed as the contract says, with no such key.
    assert "not_article" not in extracted("newsbot/samples/seed-article.html")
