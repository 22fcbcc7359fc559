"""Short reprints: a regional outlet's three-paragraph cut of a release (30 to 60 words)
is linked, credited or not, and short coincidences are not (the same meeting in other
words, a daily template notice, a short text from weeks before). The rules on the texts
of tests/reprintsites.py, one crawl of both sites with their short items, and the
labelled short pairs of bench/reprints_pairs.json."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.article import Article
from pipelines.stages.attribution import Source
from pipelines.stages.imprint import Publisher
from pipelines.stages.reprints import (
    LONG_WORDS,
    MIN_WORDS,
    Fingerprint,
    Publication,
    band_keys,
    bands_needed,
    credits,
    fingerprint,
    names_of,
    reprint_overlap,
    words_of,
)
from pipelines.store import Store
from tests.conftest import FETCHED_AT
from tests.crawlsite import query
from tests.reprintsites import (
    EXPECTED_LINKS,
    EXPECTED_SHORT_LINKS,
    GOV_NAME,
    OUTLET_NAME,
    RELEASES,
    SHORT_RELEASES,
    SHORT_STORIES,
    STORIES,
    crawl_both,
    reprint_links,
)

ROOT = Path(__file__).resolve().parents[1]
TEXTS = {**RELEASES, **STORIES, **SHORT_RELEASES, **SHORT_STORIES}


def _text(path: str) -> str:
    return "\n\n".join(TEXTS[path][2])


def _print(path: str) -> Fingerprint:
    found = fingerprint(_text(path))
    assert found is not None
    return found


def _reprint(copy_path: str, copy: Publication, original_path: str, original: Publication) -> bool:
    """Whether the rule links the two texts of the sites, published as given."""
    texts = (_text(copy_path), _text(original_path))
    measured = reprint_overlap(
        _print(copy_path), copy, _print(original_path), original, lambda: texts
    )
    return measured is not None


def _article(path: str, when: str, source: str | None = None) -> Publication:
    names = (GOV_NAME,) if path.startswith("/press/") else (OUTLET_NAME,)
    return Publication(path, names[0], f"https://x{path}", when, when, source, names)


def test_a_short_cut_of_a_release_is_indexed_and_a_candidate():
    copy, release = _print("/news/207-pavodok.html"), _print("/press/109-pavodki.html")
    assert MIN_WORDS <= copy.words < LONG_WORDS <= release.words
    shared = set(band_keys(copy.signature)) & set(band_keys(release.signature))
    assert len(shared) >= bands_needed(copy.words, release.words) == 1


def test_a_short_copy_that_credits_the_release_is_a_reprint_even_without_its_names():
    original = _article("/press/109-pavodki.html", "2026-11-10T05:30:00Z")
    # Its only name is the credit's; a month later it still credits the release.
    credited = _article("/news/207-pavodok.html", "2026-12-10T09:10:00Z", "Primeminister.kz")
    assert credits(credited, original)
    assert _reprint("/news/207-pavodok.html", credited, "/press/109-pavodki.html", original)


def test_an_uncredited_short_copy_must_appear_within_the_window():
    original = _article("/press/111-gazdandyru.html", "2026-11-12T06:00:00Z")
    same_day = _article("/news/209-gaz.html", "2026-11-12T11:00:00Z")
    weeks_later = _article("/news/209-gaz.html", "2026-12-01T11:00:00Z")
    assert _reprint("/news/209-gaz.html", same_day, "/press/111-gazdandyru.html", original)
    assert not _reprint("/news/209-gaz.html", weeks_later, "/press/111-gazdandyru.html", original)


def test_a_short_notice_of_the_same_meeting_in_other_words_is_not_a_reprint():
    notice, release = _print("/news/210-pavodok-zametka.html"), _print("/press/109-pavodki.html")
    assert notice.figures <= release.figures | {"2027"}  # the same figures...
    original = _article("/press/109-pavodki.html", "2026-11-10T05:30:00Z")
    story = _article("/news/210-pavodok-zametka.html", "2026-11-10T13:40:00Z")
    # ...other words
    assert not _reprint(
        "/news/210-pavodok-zametka.html", story, "/press/109-pavodki.html", original
    )


def test_a_short_daily_template_with_other_figures_is_not_a_reprint():
    first = _article("/news/410-pogoda.html", "2026-11-10T02:00:00Z")
    second = _article("/news/411-pogoda.html", "2026-11-11T02:00:00Z")
    assert not _reprint("/news/411-pogoda.html", second, "/news/410-pogoda.html", first)


def _reception(official: str, topics: str) -> str:
    return (
        f"{official} провел личный прием граждан. Жители обратились по вопросам {topics}.\n"
        "По всем обращениям даны поручения ответственным службам, часть вопросов решена на "
        "месте. Записаться на прием можно через канцелярию акимата области."
    )


def test_a_short_template_with_other_names_is_not_a_reprint():
    # The words repeat and there is no figure: only the names tell the days apart.
    monday = _reception("Аким Павлодарской области Асаин Байханов",
                        "ремонта дорог, благоустройства дворов и трудоустройства")  # fmt: skip
    tuesday = _reception("Аким Экибастуза Нуржан Рамазанов",
                         "отопления, ремонта подъездов и выделения участков")  # fmt: skip
    same_akim = _reception("Аким Павлодарской области Асаин Байханов",
                           "отопления, ремонта подъездов и выделения участков")  # fmt: skip
    first = Publication("a", "akimat", "https://a/1", "2026-11-20T04:00:00Z", None, None, ())
    second = Publication("b", "akimat", "https://a/2", "2026-11-21T04:00:00Z", None, None, ())

    def linked(one: str, other: str) -> bool:
        one_print, other_print = fingerprint(one), fingerprint(other)
        assert one_print and other_print and not one_print.figures | other_print.figures
        measured = reprint_overlap(one_print, first, other_print, second, lambda: (one, other))
        return measured is not None

    assert not linked(monday, tuesday)
    assert linked(monday, same_akim)


def test_names_are_capitalised_words_inside_sentences_in_any_case():
    names = names_of(
        "Премьер-министр Олжас Бектенов провел совещание. По словам Олжаса Бектенова, "
        "«Казахстан темир жолы» выделил вагоны. Өскемен мен Петропавл қалаларында."
    )
    assert names == {"олжас", "бекте", "казах", "петро"}


def _stored(store: Store, path: str, site: str, published: str, source: str | None) -> str:
    title, _, paragraphs = TEXTS[path]
    article = Article(
        url=f"https://{site}.kz{path}",
        site=site,
        title=title,
        body="\n\n".join(paragraphs),
        published_at_utc=published,
        source=Source(source, f"сообщает {source}") if source else None,
        publisher=Publisher(name=GOV_NAME if site == "gov_ru" else OUTLET_NAME),
    )
    identifier, _ = store.save_article(article, FETCHED_AT, None)
    store.link_reprints(identifier)
    return identifier


def test_a_long_release_stored_after_its_short_copy_becomes_its_original():
    with Store.open(":memory:") as store:
        # One shared band finds the short copy from the long release too.
        copy = _stored(store, "/news/207-pavodok.html", "outlet_ru", "2026-11-10T09:10:00Z",
                       "Primeminister.kz")  # fmt: skip
        release = _stored(store, "/press/109-pavodki.html", "gov_ru", "2026-11-10T05:30:00Z", None)
        rows = store.db.execute("SELECT copy_id, original_id, credited FROM reprints").fetchall()
        assert rows == [(copy, release, 1)]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of both sites with their short items."""
    return crawl_both(tmp_path_factory.mktemp("short_reprints"), short=True)


def test_one_crawl_links_every_short_reprint_with_its_credit_and_no_decoy(crawled: Path):
    assert query(crawled, "SELECT count(*) FROM articles") == [(len(TEXTS),)]
    assert reprint_links(crawled) == {**EXPECTED_LINKS, **EXPECTED_SHORT_LINKS}


def test_a_rebuild_finds_the_same_short_links(crawled: Path, tmp_path: Path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(crawled.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "reprints", "--db", str(copy), "--rebuild"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"newsbot: {len(TEXTS)} articles indexed, 7 reprints linked" in result.stderr
    assert reprint_links(copy) == {**EXPECTED_LINKS, **EXPECTED_SHORT_LINKS}


def test_the_labelled_short_pairs_link_no_decoy_and_flag_credits_right():
    sys.path.insert(0, str(ROOT / "bench"))
    from reprints_bench import credited_right, detected, read_pairs

    short = [pair for pair in read_pairs() if pair.get("length") == "short"]
    kinds = {str(pair["kind"]) for pair in short}
    assert {"short, same event, own words", "short template: exchange rates"} <= kinds
    assert {pair["lang"] for pair in short} == {"ru", "kk"}
    assert all(len(words_of(str(pair["b"]))) < LONG_WORDS for pair in short)
    linked = [pair for pair in short if detected(pair)]
    assert [pair["kind"] for pair in linked if not pair["reprint"]] == []
    reprints = [pair for pair in short if pair["reprint"]]
    assert len(linked) >= 0.9 * len(reprints)
    assert all(credited_right(pair) for pair in linked if "credited" in pair)


def test_a_credit_to_a_domain_in_lower_case_names_the_outlet():
    from pipelines.stages.attribution import find_source

    found = find_source("Замечания устранят за счет подрядчиков, пишет primeminister.kz.")
    assert found is not None and found.name == "primeminister.kz"
    release = _article("/press/109-pavodki.html", "2026-11-10T05:30:00Z")
    copy = _article("/news/207-pavodok.html", "2026-11-10T09:10:00Z", found.name)
    assert credits(copy, release)
