"""The real URLs of shared/research/real-sites.md and of old links found in public code
(tests/real_urls.json, with their sources): each is taken by the edition the evidence
says, and by no other; retired forms too, since old links keep circulating."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsbot.sites.config import article_address, bundled_configs, config_for_url
from tests.conftest import ROOT

REAL = json.loads((ROOT / "tests" / "real_urls.json").read_text(encoding="utf-8"))
# A URL cut off in its source names no article; every other row is judged.
JUDGED = [row for row in REAL["urls"] if not row.get("truncated")]
CURRENT = [row for row in JUDGED if "retired" not in row]


def expected_slug(row: dict) -> str | None:
    return row["config"] if row["article"] else None


def test_the_evidence_is_all_there():
    # 95 rows of the document's regex test, plus the per-site URLs it quotes elsewhere.
    assert len(REAL["urls"]) >= 95
    assert all(row["source"] for row in REAL["urls"])
    assert sum("retired" in row for row in REAL["urls"]) == 16


@pytest.mark.parametrize("row", JUDGED, ids=lambda row: row["url"][8:70])
def test_each_real_url_goes_to_the_edition_the_evidence_names(row: dict):
    configs = bundled_configs()
    found = config_for_url(configs.values(), row["url"])
    if row["article"]:
        assert found is not None and found.slug == row["config"], row["source"]
    else:
        assert not configs[row["config"]].takes_article(row["url"]), row["source"]
        if "listing" in row["source"] or "hub" in row["source"]:
            assert found is None, (found, row["source"])


def test_editions_do_not_leak_into_each_other():
    configs = bundled_configs()
    kazakh = "https://kaz.tengrinews.kz/kazakhstan_news/aral-tenznde-su-kolem-ulgaydyi-364674/"
    assert [s for s, c in configs.items() if c.takes_article(kazakh)] == ["tengrinews_kk"]
    mirror = "https://mirror.akorda.kz/kz/memleket-basshysy-lrt-zhuyesin-iske-kosu-rasimine-katysty-164741"
    assert [s for s, c in configs.items() if c.takes_article(mirror)] == ["akorda_kk"]


def test_an_amp_copy_and_a_fragment_name_their_article():
    configs = bundled_configs()
    amp = "https://kz.kursiv.media/2020-09-14/v-kazakhstane-oslabili-karantin/amp/"
    assert configs["kursiv_ru"].takes_article(amp)
    assert configs["kursiv_ru"].takes_article(amp.removesuffix("amp/") + "?amp=1")
    # zakon.kz puts the AMP copy under a path prefix; the article is the same.
    prefixed = "https://www.zakon.kz/amp/stati/6429464-lovushki-na-dorogakh.html"
    assert (
        article_address(prefixed) == "https://www.zakon.kz/stati/6429464-lovushki-na-dorogakh.html"
    )
    assert article_address("https://example.kz/amp/") == "https://example.kz/"
    fragment = "https://primeminister.kz/ru/news/k-stroitelstvu-trekh-aeroportov-29599#top"
    assert configs["primeminister_ru"].takes_article(fragment)


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        # A fully qualified host (trailing dot) is the same host.
        ("https://tengrinews.kz./kazakhstan_news/podryadchikov-v-almatyi-massovo-lishayut-litsenziy-584421/", "tengrinews_ru"),
        ("https://kaz.tengrinews.kz./kazakhstan_news/aral-tenznde-su-kolem-ulgaydyi-364674/", "tengrinews_kk"),
        ("https://www.nur.kz./1749446-glavu-otdela-kultury-nakazali-za-grubost-v-karagandinskoj-oblasti.html", "nur_ru"),
        # AMP copies of a retired form.
        ("https://kursiv.kz/news/obschestvo/2019-07/kak-poluchit-shengenskuyu-vizu-na-bolee-dolgiy-srok/amp/", "kursiv_ru"),
    ],
)  # fmt: skip
def test_trailing_dot_hosts_and_amp_copies_name_their_edition(url: str, slug: str):
    found = config_for_url(bundled_configs().values(), url)
    assert found is not None and found.slug == slug


def test_a_retired_form_does_not_leak_into_another_edition():
    configs = bundled_configs()
    old_kazakh = "https://www.inform.kz/kz/asyl-mura-abaydyn-ekinshi-kara-sozi_a2471636"
    assert [s for s, c in configs.items() if c.takes_article(old_kazakh)] == ["inform_kk"]
    old_russian = (
        "https://www.inform.kz/ru/vengry-protestuyut-protiv-novoy-konstitucii-strany_a2430500"
    )
    assert [s for s, c in configs.items() if c.takes_article(old_russian)] == ["inform_ru"]


def _which(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "sites", "--which", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def test_sites_which_prints_the_slug_or_none():
    retired = next(row for row in JUDGED if "retired" in row and row["config"] == "nur_ru")
    rows = [CURRENT[0], next(row for row in CURRENT if not row["article"]), retired]
    for row in rows:
        result = _which(row["url"])
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == (expected_slug(row) or "none")
    dotted = _which("https://tengrinews.kz./kazakhstan_news/a-584421/")
    assert (dotted.returncode, dotted.stdout) == (0, "tengrinews_ru\n")
    bad = _which("not a url")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) <= 3 and "Traceback" not in bad.stderr


def test_extract_with_a_url_uses_the_same_rule(tmp_path):
    # kaz.inform.kz resolved to no config when the lookup needed the host in `domains`.
    page = tmp_path / "page.html"
    page.write_bytes(
        (ROOT / "tests" / "fixtures" / "primeminister_ru" / "press-release.html").read_bytes()
    )
    url = "https://kaz.inform.kz/news/11-tamiz-kazinform-kuntzbes-zhilnama-fbf80170/"
    result = subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "extract", str(page), "--url", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["site"] == "inform_kk"
