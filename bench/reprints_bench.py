"""Reprint detection: which MinHash library, how fast at scale, and how right on a labelled
set of pairs built from real text (README, "Who reprints whom").

    .venv/bin/python bench/reprints_bench.py [--articles 100000] [--write-labelled]

- libraries: signatures of the same shingle sets with rensa (R-MinHash) and datasketch
  (MinHash.update_batch), and their LSH indexes' insert + query, per document;
- rebuild: `Store.rebuild_reprints` over N synthetic articles made of real sentences (the
  181 pages of ../shared/benchmarks/article-extraction and the seed article), 3% of them
  reprints edited as outlets edit them, in a process of its own: seconds and peak RSS;
- incremental: `Store.link_reprints` of one new article against that index, 300 times;
- labelled pairs (bench/reprints_pairs.json): precision and recall of the whole rule
  (an LSH band shared, then confirmed) on reprints, same-event stories, template series
  and unrelated texts;
- boilerplate (`--boilerplate 3000 [--notices 1500]`, on its own): short stories of one
  site that each end with one 130-word cookie and rights paragraph (1% of them copies of
  an earlier story), and identical notices each on a site of its own; linked one by one as
  a crawl does (seconds, links right and wrong), then rebuilt (seconds, peak RSS).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.stages.reprints import (  # noqa: E402
    MIN_SHARED_BANDS,
    MIN_WORDS,
    band_keys,
    confirmed,
    fingerprint,
    shingle_texts,
    words_of,
)
from pipelines.store import Store  # noqa: E402

SHARED = ROOT.parent / "shared"
GROUND_TRUTH = ROOT / "bench" / "article-extraction" / "ground-truth.json"
SEED = SHARED / "corpus" / "seed-article.txt"
PAIRS = ROOT / "bench" / "reprints_pairs.json"
START = datetime(2025, 1, 1, tzinfo=UTC)
_SENTENCE = re.compile(r"(?<=[.!?»])\s+(?=[A-ZА-ЯЁ«])")


def real_texts() -> list[str]:
    bodies = [v["articleBody"] for v in json.loads(GROUND_TRUTH.read_text("utf-8")).values()]
    return [*bodies, SEED.read_text("utf-8")]


def sentence_pool(texts: list[str]) -> list[str]:
    pool = []
    for text in texts:
        for paragraph in text.split("\n"):
            pool += [s.strip() for s in _SENTENCE.split(paragraph) if len(s.split()) >= 6]
    return pool


# ---- libraries ------------------------------------------------------------------------


def compare_libraries(texts: list[str], repeat: int = 20) -> dict[str, float]:
    import datasketch
    import rensa

    docs = [sorted(set(shingle_texts(words_of(t)))) for t in texts] * repeat
    figures: dict[str, float] = {"documents": len(docs)}
    start = time.perf_counter()
    sketches = []
    for doc in docs:
        sketch = rensa.RMinHash(128, 1)
        sketch.update(doc)
        sketches.append(sketch)
    figures["rensa_signature_us"] = (time.perf_counter() - start) / len(docs) * 1e6
    start = time.perf_counter()
    minhashes = []
    for doc in docs:
        minhash = datasketch.MinHash(num_perm=128, seed=1)
        minhash.update_batch([s.encode() for s in doc])
        minhashes.append(minhash)
    figures["datasketch_signature_us"] = (time.perf_counter() - start) / len(docs) * 1e6
    start = time.perf_counter()
    lsh = rensa.RMinHashLSH(0.3, 128, 64)
    for key, sketch in enumerate(sketches):
        lsh.query(sketch)
        lsh.insert(key, sketch)
    figures["rensa_lsh_us"] = (time.perf_counter() - start) / len(docs) * 1e6
    start = time.perf_counter()
    index = datasketch.MinHashLSH(num_perm=128, params=(64, 2))
    for key, minhash in enumerate(minhashes):
        index.query(minhash)
        index.insert(key, minhash)
    figures["datasketch_lsh_us"] = (time.perf_counter() - start) / len(docs) * 1e6
    return figures


# ---- edits outlets make ---------------------------------------------------------------

LEADS = (
    "Важная новость для жителей региона.",
    "Об этом стало известно в пятницу.",
    "Редакция продолжает следить за развитием событий.",
    "Напомним, ранее тема уже обсуждалась на заседании.",
)
CREDITS = ("сообщает Primeminister.kz", "передает Kazinform", "пишет Tengrinews.kz")


def paragraphs_of(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", text) if p.strip()]


def reword(sentence: str, rng: random.Random) -> str:
    """One sentence said another way: its clauses swapped and a word or two dropped."""
    words = sentence.rstrip(".").split()
    if len(words) < 8:
        return sentence
    cut = rng.randint(3, len(words) - 3)
    rest = words[cut:] + words[:cut]
    for _ in range(2):
        rest.pop(rng.randrange(len(rest)))
    return " ".join(rest).capitalize() + "."


def edit(text: str, how: str, rng: random.Random) -> str:
    paragraphs = paragraphs_of(text)
    if how in ("lead", "all"):
        paragraphs.insert(0, rng.choice(LEADS))
    if how in ("drop", "all") and len(paragraphs) > 3:
        paragraphs.pop(rng.randrange(1, len(paragraphs)))
    if how in ("reword", "all"):
        i = rng.randrange(len(paragraphs))
        sentences = _SENTENCE.split(paragraphs[i])
        j = rng.randrange(len(sentences))
        sentences[j] = reword(sentences[j], rng)
        paragraphs[i] = " ".join(sentences)
    if how == "credit":
        paragraphs[0] = paragraphs[0].rstrip(".") + ", " + rng.choice(CREDITS) + "."
    if how == "half":
        paragraphs = paragraphs[: max(2, (len(paragraphs) + 1) // 2)]
    return "\n\n".join(paragraphs)


# ---- the synthetic database -----------------------------------------------------------


def mutated(sentences: list[str], vocabulary: list[str], rng: random.Random) -> list[str]:
    """Real sentences with about a third of their words replaced: every synthetic article
    its own text (news articles do not share whole sentences by chance), in real
    sentence shapes, lengths and vocabulary."""
    return [
        " ".join(w if rng.random() > 0.3 else rng.choice(vocabulary) for w in s.split())
        for s in sentences
    ]


def synthetic_articles(count: int, pool: list[str], rng: random.Random):
    """(id, site, body, published_at_utc, copy_of) for `count` articles; 3% of them
    edited reprints of an earlier one, 5% short items."""
    vocabulary = [word for sentence in pool for word in sentence.split()]
    made: list[str] = []
    for number in range(count):
        published = (START + timedelta(minutes=7 * number)).strftime("%Y-%m-%dT%H:%M:%SZ")
        site = f"site{rng.randrange(40):02d}_ru"
        identifier = hashlib.sha1(str(number).encode()).hexdigest()[:20]
        copy_of = None
        if made and rng.random() < 0.03:
            copy_of = rng.randrange(max(0, len(made) - 2000), len(made))
            body = edit(made[copy_of], rng.choice(("lead", "drop", "reword", "all", "credit")), rng)
        elif rng.random() < 0.05:
            body = " ".join(mutated(rng.sample(pool, 2), vocabulary, rng))
        else:
            sentences = mutated(rng.sample(pool, rng.randint(8, 16)), vocabulary, rng)
            body = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
        made.append(body)
        yield identifier, site, body, published, copy_of


def write_database(path: Path, count: int) -> dict[str, str]:
    """The database and {copy id: original id} of the reprints it holds."""
    rng = random.Random(12)
    pool = sentence_pool(real_texts())
    Store.open(path).close()
    expected: dict[str, str] = {}
    ids: list[str] = []
    rows = []
    for identifier, site, body, published, copy_of in synthetic_articles(count, pool, rng):
        if copy_of is not None:
            expected[identifier] = ids[copy_of]
        ids.append(identifier)
        rows.append((identifier, f"https://{site}.kz/{identifier}", site, body, published,
                     published, "{}"))  # fmt: skip
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO articles (id, url, site, body, published_at_utc, first_seen_at, "
            "publisher) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return expected


def rebuild_in_child(path: Path) -> dict[str, float]:
    script = (
        "import json, sys, time; sys.path.insert(0, sys.argv[2]);"
        "from pipelines.store import Store;"
        "store = Store.open(sys.argv[1]); start = time.perf_counter();"
        "articles, links = store.rebuild_reprints(); seconds = time.perf_counter() - start;"
        "store.close();"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0];"
        "print(json.dumps({'seconds': seconds, 'articles': articles, 'links': links,"
        "'peak_rss_mb': int(hwm.split()[1]) / 1024}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script, str(path), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout)


def incremental(path: Path, expected: dict[str, str], checks: int = 300) -> dict[str, float]:
    import sqlite3

    rng = random.Random(5)
    pool = sentence_pool(real_texts())
    vocabulary = [word for sentence in pool for word in sentence.split()]
    with sqlite3.connect(path) as connection:
        bodies = [
            row[0]
            for row in connection.execute(
                "SELECT body FROM articles ORDER BY random() LIMIT ?", [checks]
            )
        ]
    store = Store.open(path)
    # What an earlier run of this bench left (its rollback covers only the open batch).
    store.db.execute("DELETE FROM articles WHERE id LIKE 'new%'")
    store.flush()
    timings, linked = [], 0
    for number in range(checks):
        identifier = f"new{number:05d}"
        if number % 2:
            body = edit(bodies[number], "all", rng)
        else:
            sentences = mutated(rng.sample(pool, 12), vocabulary, rng)
            body = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, 12, 3))
        store.db.execute(
            "INSERT INTO articles (id, url, site, body, published_at_utc, first_seen_at, "
            "publisher) VALUES (?, ?, 'new_ru', ?, '2027-06-01T00:00:00Z', "
            "'2027-06-01T00:00:00Z', '{}')",
            [identifier, f"https://new.kz/{identifier}", body],
        )
        start = time.perf_counter()
        linked += bool(store.link_reprints(identifier))
        timings.append((time.perf_counter() - start) * 1000)
    store.db.conn.rollback()
    store.close()
    timings.sort()
    return {
        "checks": checks,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95)],
        "max_ms": timings[-1],
        "edited_copies_linked": linked,
    }


def synthetic_recall(path: Path, expected: dict[str, str]) -> dict[str, float]:
    import sqlite3

    with sqlite3.connect(path) as connection:
        found = dict(connection.execute("SELECT copy_id, original_id FROM reprints"))
        short = {
            row[0]
            for row in connection.execute(
                "SELECT a.id FROM articles a JOIN reprint_index i ON i.article_rowid = a.rowid "
                "WHERE i.words = 0"
            )
        }
    reachable = {c: o for c, o in expected.items() if c not in short and o not in short}

    def ancestors(copy: str) -> set[str]:
        """The copy's original, its original's original...: a copy of a copy is rightly
        linked to the earliest of them it repeats."""
        found_chain = set()
        while copy in expected and copy not in found_chain:
            copy = expected[copy]
            found_chain.add(copy)
        return found_chain

    hits = sum(found.get(copy) in ancestors(copy) for copy in reachable)
    extra = [c for c in found if c not in expected]
    return {"injected": len(reachable), "linked_right": hits,
            "recall": hits / max(len(reachable), 1), "links_not_injected": len(extra)}  # fmt: skip


# ---- boilerplate ----------------------------------------------------------------------

# A 130-word cookie and rights paragraph one site prints under every article.
COOKIE_NOTICE = (
    "Мы используем файлы cookie, чтобы сайт работал быстрее и удобнее для вас. Продолжая "
    "просматривать страницы сайта, вы соглашаетесь с условиями использования файлов cookie "
    "и политикой конфиденциальности редакции. Вы можете отключить их в настройках своего "
    "браузера, однако некоторые разделы сайта после этого могут работать некорректно. "
    "Все права на материалы, опубликованные на сайте, принадлежат редакции и охраняются "
    "законодательством Республики Казахстан об авторском праве и смежных правах. Любое "
    "использование материалов сайта, включая перепечатку, цитирование и размещение в "
    "социальных сетях, допускается только с письменного разрешения редакции и при "
    "обязательной активной гиперссылке на первоисточник. Мнение авторов отдельных "
    "публикаций может не совпадать с позицией редакции. Редакция не несет ответственности "
    "за содержание комментариев читателей и оставляет за собой право удалять сообщения, "
    "нарушающие правила сайта и нормы действующего законодательства страны."
)
# A notice of its own, the same word for word wherever it appears (over MIN_WORDS words).
SHORT_NOTICE = (
    "Уважаемые читатели! В связи с проведением плановых технических работ на сервере "
    "редакции отдельные разделы сайта, включая архив публикаций, поиск по материалам, "
    "раздел фотогалерей и форму обратной связи, могут быть временно недоступны для "
    "посетителей. Приносим свои извинения за возможные неудобства. Все опубликованные "
    "ранее материалы будут сохранены в полном объеме, а работа сайта будет восстановлена "
    "в ближайшее время. Следите за нашими новостями в официальных аккаунтах редакции."
)


def boilerplate_database(path: Path, articles: int, notices: int) -> dict[str, str]:
    """`articles` short stories of one site, each followed by COOKIE_NOTICE, 1% of them
    copies of an earlier story (with its notice); and `notices` copies of SHORT_NOTICE,
    each on a site of its own. Returns {copy id: original id}."""
    import sqlite3

    rng = random.Random(19)
    pool = sentence_pool(real_texts())
    vocabulary = [word for sentence in pool for word in sentence.split()]
    Store.open(path).close()
    rows, stories, expected = [], [], {}
    for number in range(articles + notices):
        published = (START + timedelta(minutes=3 * number)).strftime("%Y-%m-%dT%H:%M:%SZ")
        identifier = f"b{number:06d}"
        site = "cookies_ru"
        if number % 3 == 2 and number // 3 < notices:
            site, body = f"notice{number:05d}_ru", SHORT_NOTICE
        elif stories and rng.random() < 0.01:
            # Of a story long enough to be compared once its notice is left out.
            original, own = rng.choice(stories[-500:])
            expected[identifier] = original
            body = own + "\n\n" + COOKIE_NOTICE
        else:
            own = " ".join(mutated(rng.sample(pool, rng.randint(2, 6)), vocabulary, rng))
            if len(words_of(own)) >= MIN_WORDS:
                stories.append((identifier, own))
            body = own + "\n\n" + COOKIE_NOTICE
        rows.append((identifier, f"https://{site}.kz/{identifier}", site, body, published,
                     published, "{}"))  # fmt: skip
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO articles (id, url, site, body, published_at_utc, first_seen_at, "
            "publisher) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    connection.close()  # the last connection out writes the WAL into the file (copied next)
    return expected


def boilerplate_crawl(path: Path, expected: dict[str, str]) -> dict[str, float]:
    """What a crawl does for each article it stores (`Store.link_reprints`, a commit every
    200 articles), over the whole database in publication order."""
    store = Store.open(path)
    ids = [
        row[0] for row in store.db.execute("SELECT id FROM articles ORDER BY published_at_utc, id")
    ]
    start = time.perf_counter()
    slowest = 0.0
    for number, identifier in enumerate(ids):
        began = time.perf_counter()
        store.link_reprints(identifier)
        slowest = max(slowest, time.perf_counter() - began)
        if number % 200 == 199:
            store.flush()
    seconds = time.perf_counter() - start
    store.flush()
    links = dict(store.db.execute("SELECT copy_id, original_id FROM reprints"))
    store.close()
    return {
        "articles": len(ids),
        "seconds": round(seconds, 2),
        "slowest_article_ms": round(slowest * 1000, 1),
        **link_counts(links, expected),
    }


def link_counts(links: dict[str, str], expected: dict[str, str]) -> dict[str, int]:
    return {
        "links": len(links),
        "injected_copies": len(expected),
        "copies_linked_right": sum(links.get(c) == o for c, o in expected.items()),
        "links_not_injected": sum(c not in expected for c in links),
    }


def boilerplate_bench(articles: int, notices: int) -> None:
    import shutil
    import sqlite3

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "boilerplate.db"
        expected = boilerplate_database(path, articles, notices)
        print(
            f"boilerplate: {articles} articles of one site sharing a 130-word paragraph, "
            f"{notices} identical notices on sites of their own"
        )
        copy = Path(folder) / "rebuilt.db"
        shutil.copy(path, copy)
        print("crawl (incremental):", json.dumps(boilerplate_crawl(path, expected), indent=1))
        print(f"database size after the crawl: {path.stat().st_size / 1e6:.1f} MB")
        rebuilt = rebuild_in_child(copy)
        with sqlite3.connect(copy) as connection:
            links = dict(connection.execute("SELECT copy_id, original_id FROM reprints"))
        rebuilt.update(link_counts(links, expected))
        print("rebuild:", json.dumps(rebuilt, indent=1))
        print(f"database size after the rebuild: {copy.stat().st_size / 1e6:.1f} MB")


# ---- labelled pairs -------------------------------------------------------------------


def russian_articles() -> list[list[str]]:
    """Real Russian texts: the seed article, and the Russian pages of the extraction
    benchmark cut into articles of five paragraphs (the parts of one page together)."""
    articles = [[SEED.read_text("utf-8").split("\n\n")[0]]]
    for value in json.loads(GROUND_TRUTH.read_text("utf-8")).values():
        body = value["articleBody"]
        if len(re.findall("[а-яё]", body.lower())) < 200:
            continue
        paragraphs = [p for p in paragraphs_of(body) if len(p.split()) >= 8]
        parts = ["\n\n".join(paragraphs[i : i + 5]) for i in range(0, len(paragraphs) - 3, 5)]
        articles.append([t for t in parts if len(words_of(t)) >= MIN_WORDS])
    return articles


def template_series(rng: random.Random) -> list[list[str]]:
    """Daily series of one site: the same words, other numbers, other days."""

    def rates(day: int) -> str:
        usd, eur = rng.uniform(440, 520), rng.uniform(470, 560)
        return (
            f"Национальный банк Казахстана установил официальные курсы валют на {day} "
            f"ноября. Доллар США стоит {usd:.2f} тенге, евро – {eur:.2f} тенге, российский "
            f"рубль – {rng.uniform(4.5, 6.5):.2f} тенге.\n\nПо итогам торгов на "
            f"Казахстанской фондовой бирже средневзвешенный курс доллара составил "
            f"{usd + rng.uniform(-1, 1):.2f} тенге, объем торгов – {rng.randint(80, 260)} "
            "млн долларов. Крупных интервенций регулятор не проводил.\n\nВ обменных "
            "пунктах курс покупки и продажи может отличаться от официального. Редакция "
            "ежедневно публикует курсы валют и сводку биржевых торгов."
        )

    def weather(day: int) -> str:
        city = rng.choice(["Астане", "Алматы", "Шымкенте"])
        return (
            f"Погода на {day} ноября. Синоптики РГП «Казгидромет» прогнозируют в {city} "
            f"температуру ночью от {rng.randint(-15, -2)} до {rng.randint(-1, 3)} градусов, "
            f"днем от {rng.randint(-5, 2)} до {rng.randint(3, 12)} градусов тепла. Ветер "
            f"юго-западный, {rng.randint(3, 8)}-{rng.randint(9, 15)} м/с, местами "
            "порывы.\n\nВ северных и центральных областях ожидаются осадки в виде дождя и "
            "снега, на дорогах гололед. Водителей просят быть внимательнее и соблюдать "
            "дистанцию. В горах сохраняется лавиноопасность.\n\nСледите за "
            "обновлениями прогноза на нашем сайте."
        )

    def fuel(day: int) -> str:
        return (
            f"Цены на бензин на {day} ноября. Средняя цена литра бензина АИ-92 по стране "
            f"составила {rng.randint(200, 240)} тенге, АИ-95 – {rng.randint(250, 300)} "
            f"тенге, дизельного топлива – {rng.randint(260, 320)} тенге. Дороже всего "
            f"топливо стоит в {rng.choice(['Актау', 'Атырау', 'Усть-Каменогорске'])}, "
            f"где литр АИ-92 продают по {rng.randint(230, 260)} тенге.\n\nЗа неделю цены "
            f"изменились на {rng.uniform(0.1, 2.5):.1f} процента. Министерство энергетики "
            "следит за ценами на автозаправочных станциях и обеспечением внутреннего рынка "
            "топливом."
        )

    return [[make(day) for day in range(1, 11)] for make in (rates, weather, fuel)]


def labelled_pairs() -> list[dict[str, object]]:
    rng = random.Random(2026)
    articles = russian_articles()
    sys.path.insert(0, str(ROOT / "tests"))
    from reprintsites import RELEASES, STORIES

    # The press releases of the tests, less the re-post of one of them.
    releases = [
        "\n\n".join(p)
        for path, (_, _, p) in RELEASES.items()
        if "utochnenie" not in path and len(words_of(" ".join(p))) >= MIN_WORDS
    ]
    texts = [text for parts in articles for text in parts] + releases
    pairs: list[dict[str, object]] = []
    for text in texts:
        for how in ("lead", "drop", "reword", "all", "credit", "half"):
            copy = edit(text, how, rng)
            if len(words_of(copy)) < MIN_WORDS:
                # What is left is a short item: the rule never links those.
                pairs.append(
                    {
                        "a": text,
                        "b": copy,
                        "reprint": False,
                        "kind": "short item (a copy under MIN_WORDS)",
                    }
                )
            else:
                pairs.append({"a": text, "b": copy, "reprint": True, "kind": f"reprint: {how}"})
    # Independent stories of the same events with the same figures (tests/reprintsites.py).
    for release, story in (("/press/104-zavod-shymkent.html", "/news/204-zavod.html"),
                           ("/press/105-ispolnenie-byudzheta.html", "/news/205-byudzhet.html")):  # fmt: skip
        pairs.append({"a": "\n\n".join(RELEASES[release][2]), "b": "\n\n".join(STORIES[story][2]),
                      "reprint": False, "kind": "same event, own words"})  # fmt: skip
    for series in template_series(rng):
        for i, first in enumerate(series):
            for second in series[i + 1 :]:
                pairs.append({"a": first, "b": second, "reprint": False, "kind": "template series"})
    # Neighbouring parts of one page: one subject and vocabulary, other sentences.
    for parts in articles:
        for first, second in itertools.pairwise(parts):
            pairs.append({"a": first, "b": second, "reprint": False, "kind": "same subject"})
    for _ in range(300):
        first, second = rng.sample(texts, 2)
        pairs.append({"a": first, "b": second, "reprint": False, "kind": "unrelated"})
    return pairs


def write_pairs(pairs: list[dict[str, object]]) -> None:
    """Each text once, the pairs by number: {"texts": [...], "pairs": [{"a": 0, "b": 1,
    "reprint": true, "kind": "reprint: lead"}, ...]}."""
    texts: dict[object, int] = {}
    numbered = [
        {
            **pair,
            "a": texts.setdefault(pair["a"], len(texts)),
            "b": texts.setdefault(pair["b"], len(texts)),
        }
        for pair in pairs
    ]
    document = {"texts": list(texts), "pairs": numbered}
    PAIRS.write_text(json.dumps(document, ensure_ascii=False, indent=0), "utf-8")


def read_pairs() -> list[dict[str, object]]:
    document = json.loads(PAIRS.read_text("utf-8"))
    texts = document["texts"]
    return [{**pair, "a": texts[pair["a"]], "b": texts[pair["b"]]} for pair in document["pairs"]]


def detected(a: str, b: str) -> bool:
    first, second = fingerprint(a), fingerprint(b)
    if first is None or second is None:
        return False
    shared = set(band_keys(first.signature)) & set(band_keys(second.signature))
    if len(shared) < MIN_SHARED_BANDS:
        return False
    return confirmed(first, second) is not None


def score_pairs(pairs: list[dict[str, str]]) -> dict[str, object]:
    kinds: dict[str, list[int]] = {}
    tp = fp = fn = 0
    for pair in pairs:
        found = detected(pair["a"], pair["b"])
        right = found == pair["reprint"]
        kinds.setdefault(pair["kind"], [0, 0])
        kinds[pair["kind"]][0] += right
        kinds[pair["kind"]][1] += 1
        tp += found and pair["reprint"]
        fp += found and not pair["reprint"]
        fn += (not found) and pair["reprint"]
    return {
        "pairs": len(pairs),
        "reprints": tp + fn,
        "precision": tp / max(tp + fp, 1),
        "recall": tp / max(tp + fn, 1),
        "false_links": fp,
        "by_kind": {k: f"{right}/{total}" for k, (right, total) in sorted(kinds.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="keep the synthetic database here (made once)")
    parser.add_argument("--skip-libraries", action="store_true")
    parser.add_argument(
        "--write-labelled",
        action="store_true",
        help=f"write the labelled pairs to {PAIRS.name} first",
    )
    parser.add_argument(
        "--boilerplate",
        type=int,
        metavar="N",
        help="only the boilerplate bench: N articles sharing a paragraph",
    )
    parser.add_argument(
        "--notices", type=int, default=1500, help="identical short notices of the boilerplate bench"
    )
    args = parser.parse_args()
    if args.boilerplate:
        boilerplate_bench(args.boilerplate, args.notices)
        return
    if args.write_labelled or not PAIRS.exists():
        write_pairs(labelled_pairs())
    pairs = read_pairs()
    print("labelled pairs:", json.dumps(score_pairs(pairs), ensure_ascii=False, indent=1))
    if not args.skip_libraries:
        print("libraries:", json.dumps(compare_libraries(real_texts()), indent=1))
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.db"
        expected_file = path.with_suffix(".expected.json")
        if not (path.exists() and expected_file.exists()):
            start = time.perf_counter()
            expected_file.write_text(json.dumps(write_database(path, args.articles)), "utf-8")
            print(
                f"database of {args.articles} articles written in "
                f"{time.perf_counter() - start:.0f} s"
            )
        expected = json.loads(expected_file.read_text("utf-8"))
        print("rebuild:", json.dumps(rebuild_in_child(path), indent=1))
        print("synthetic reprints:", json.dumps(synthetic_recall(path, expected), indent=1))
        print("incremental:", json.dumps(incremental(path, expected), indent=1))
        print(f"database size: {path.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
