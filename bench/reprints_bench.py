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
  (LSH bands shared, then confirmed) on reprints, same-event stories, template series
  and unrelated texts, long and short pairs apart; the short ones (written by hand as
  outlets write them, with their outlets and dates) also by half (tuning, held out), with
  whether each linked copy's credited flag is right;
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

from pipelines.stages.attribution import find_source  # noqa: E402
from pipelines.stages.reprints import (  # noqa: E402
    LONG_WORDS,
    MIN_WORDS,
    Publication,
    band_keys,
    bands_needed,
    credits,
    fingerprint,
    reprint_overlap,
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


# ---- short items, written by hand -----------------------------------------------------

# Outlets as the pairs name them: what their pages call themselves (og:site_name, the
# site's name) and their host.
PRIMEMINISTER = ("Primeminister.kz", "primeminister.kz")
KAZINFORM = ("Kazinform", "ҚазАқпарат", "inform.kz")
PAVLODAR_AKIMAT = ("Акимат Павлодарской области", "gov.kz")
PRIRECHYE = ("Новости Приречья", "priréchye.kz")
ERTIS = ("Ertis Media", "ertismedia.kz")
KARAGANDA = ("Индустриальная Караганда", "inkaraganda.kz")
ORTALYQ = ("Орталық Қазақстан", "ortalyq.kz")
ASTANA_AKSHAMY = ("Астана ақшамы", "astana-akshamy.kz")

_PRICES = (
    "Под председательством Премьер-министра Олжаса Бектенова состоялось заседание "
    "Правительства, на котором рассмотрены меры по сдерживанию цен на социально значимые "
    "продовольственные товары.\n"
    "Министр торговли и интеграции Арман Шаккалиев доложил, что с начала года цены на 19 "
    "социально значимых товаров выросли на 4,1 процента. Наибольший рост отмечен по сахару, "
    "гречке и репчатому луку.\n"
    "В стабилизационные фонды регионов направлено 38 миллиардов тенге, по форвардным "
    "контрактам закуплено 62 тысячи тонн продукции. Через сеть социальных магазинов "
    "продукция реализуется по ценам ниже рыночных на 10–15 процентов.\n"
    "Премьер-министр поручил акимам усилить контроль за торговыми надбавками и до 1 декабря "
    "заключить дополнительные форвардные контракты с отечественными производителями."
)
_ROADS = (
    "В Правительстве обсудили итоги дорожно-строительного сезона. Как доложил министр "
    "транспорта Нурлан Сауранбаев, в этом году построено и реконструировано 4 200 "
    "километров автодорог республиканского значения, капитальный и средний ремонт проведен "
    "еще на 3 100 километрах.\n"
    "Завершено строительство участков трассы Центр – Восток и обхода Шымкента, открыто "
    "движение по 11 новым мостам. Доля республиканских дорог в нормативном состоянии "
    "достигла 91 процента.\n"
    "Премьер-министр Олжас Бектенов поручил до конца года устранить замечания по качеству "
    "работ за счет подрядчиков, а в 2027 году начать реконструкцию трассы Актобе – Улгайсын."
)
_SCHOOLS = (
    "Министр просвещения Гани Бейсембаев на заседании Правительства сообщил о ходе "
    "строительства школ по национальному проекту «Комфортная школа». С начала года "
    "введены в эксплуатацию 217 школ на 312 тысяч ученических мест, до конца года будут "
    "сданы еще 52 объекта.\n"
    "В результате ликвидировано 86 аварийных школ и 34 школы с трехсменным обучением. "
    "Все новые здания оснащены кабинетами робототехники, спортивными залами и "
    "бассейнами.\n"
    "Премьер-министр поручил акиматам обеспечить школы педагогами и не допускать "
    "удорожания проектов, а Министерству просвещения – усилить технический надзор."
)
_VACCINE = (
    "В Павлодарской области стартовала сезонная вакцинация против гриппа. В регион "
    "поступило 96 тысяч доз вакцины, прививки в первую очередь получат дети, беременные "
    "женщины, люди старше 65 лет и медицинские работники.\n"
    "Вакцинация проводится бесплатно в поликлиниках по месту прикрепления. Как отметили в "
    "управлении здравоохранения, к 10 декабря планируется привить не менее 80 процентов "
    "людей из групп риска.\n"
    "Жителям, не входящим в группы риска, вакцину можно поставить платно в частных "
    "клиниках. Справки по телефону call-центра 1406."
)
_BRIDGE = (
    "Аким Павлодарской области Асаин Байханов проверил ход реконструкции моста через "
    "Иртыш в Павлодаре. Подрядчик завершил замену пролетных строений, сейчас идет укладка "
    "асфальта и монтаж освещения.\n"
    "Стоимость работ составляет 14,6 миллиарда тенге. Движение по мосту планируется "
    "открыть 25 декабря, на две недели раньше срока.\n"
    "Аким поручил не снижать темпы работ в морозы и до открытия установить на мосту "
    "камеры видеофиксации скорости."
)
_HEAT_KK = (
    "Премьер-Министр Олжас Бектенов Үкімет отырысында жылу беру маусымының барысын "
    "қарады. Энергетика министрі Алмасадам Сәтқалиевтің айтуынша, елдегі 37 жылу электр "
    "станциясы қалыпты режимде жұмыс істеп тұр. Станциялардағы көмір қоры 4,8 миллион "
    "тоннаны құрайды, бұл нормативтен жоғары.\n"
    "Екібастұз, Өскемен және Петропавл қалаларында энергоблоктарды жөндеу аяқталды, Орал "
    "мен Көкшетауда жаңа қазандықтар іске қосылды. Маусым басталғалы жылудың апатты "
    "ажыратылуына жол берілген жоқ.\n"
    "Үкімет басшысы станциялардың жұмысын тәулік бойы бақылауды, апаттық бригадаларды "
    "дайын ұстауды және ауруханалар мен мектептердің резервтік қуат көздерін тексеруді "
    "тапсырды."
)
_GRAIN_KK = (
    "Ауыл шаруашылығы министрі Айдарбек Сапаров Үкімет отырысында жаңа өнім астығының "
    "экспорты туралы баяндады. Қаңтар-қазан айларында шетелге 8,6 миллион тонна астық пен "
    "оның өңделген өнімдері жөнелтілді, бұл өткен жылдың сәйкес кезеңімен салыстырғанда "
    "18 пайызға көп.\n"
    "Негізгі сатып алушылар – Өзбекстан, Тәжікстан, Ауғанстан және Қытай. Қазақстан "
    "бидайы алғаш рет Ақтау порты арқылы Иран мен Әзербайжанға жеткізілді, көлемі 410 мың "
    "тоннаны құрады.\n"
    "Жүк тиеуді жеделдету үшін «Қазақстан темір жолы» АҚ қосымша 2 500 астық тасымалдайтын "
    "вагон бөлді."
)
_KARAGANDA_KK = (
    "Қарағанды облысының әкімі Ермағанбет Бөлекпаев Теміртаудағы жаңа көпбейінді "
    "аурухананың құрылысын аралады. Құны 42 миллиард теңге болатын нысан 300 төсекке "
    "арналған, онда кардиология, нейрохирургия және травматология бөлімшелері жұмыс "
    "істейді.\n"
    "Қазір ғимараттың қасбеті толық жабылып, ішкі әрлеу жұмыстары жүріп жатыр. "
    "Медициналық жабдықтың 70 пайызы жеткізілді.\n"
    "Аурухананы келесі жылдың наурыз айында пайдалануға беру жоспарланған. Облыс әкімі "
    "мердігерге жұмысты сапалы әрі мерзімінде аяқтауды тапсырды."
)

SHORT_ITEMS: list[dict[str, object]] = [
    # A press office's release cut down to three short paragraphs and credited.
    {
        "kind": "short reprint: credited",
        "lang": "ru",
        "reprint": True,
        "credited": True,
        "a": _PRICES,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-20T05:00:00Z",
        "b": "С начала года цены на 19 социально значимых товаров выросли на 4,1 процента, "
        "сообщает Primeminister.kz. Наибольший рост отмечен по сахару, гречке и репчатому "
        "луку.\nВ стабилизационные фонды регионов направлено 38 миллиардов тенге, по "
        "форвардным контрактам закуплено 62 тысячи тонн продукции.\nАкимам поручено "
        "усилить контроль за торговыми надбавками.",
        "b_outlets": PRIRECHYE,
        "b_at": "2026-11-20T08:40:00Z",
    },
    # The same release, another outlet, no credit, a sentence of its own.
    {
        "kind": "short reprint: uncredited",
        "lang": "ru",
        "reprint": True,
        "credited": False,
        "a": _PRICES,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-20T05:00:00Z",
        "b": "Правительство обсудило рост цен на продукты. Министр торговли и интеграции Арман "
        "Шаккалиев доложил, что с начала года цены на 19 социально значимых товаров "
        "выросли на 4,1 процента.\nПремьер-министр поручил акимам усилить контроль за "
        "торговыми надбавками и до 1 декабря заключить дополнительные форвардные "
        "контракты с отечественными производителями.",
        "b_outlets": ERTIS,
        "b_at": "2026-11-20T11:05:00Z",
    },
    # The same meeting written by an outlet in its own words: same figures, names, day.
    {
        "kind": "short, same event, own words",
        "lang": "ru",
        "reprint": False,
        "credited": False,
        "a": _PRICES,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-20T05:00:00Z",
        "b": "Сахар, гречка и лук дорожают быстрее остальных продуктов. На заседании кабмина "
        "признали, что с января 19 социально значимых товаров подорожали в среднем на 4,1 "
        "процента.\nЧтобы сдержать цены, регионы закупают продукцию впрок: на это ушло 38 "
        "миллиардов тенге. Олжас Бектенов потребовал от акимов следить за наценками в "
        "магазинах.",
        "b_outlets": KARAGANDA,
        "b_at": "2026-11-20T09:30:00Z",
    },
    {
        "kind": "short reprint: third party credited",
        "lang": "ru",
        "reprint": True,
        "credited": False,
        "a": _ROADS,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-21T06:00:00Z",
        "b": "В этом году построено и реконструировано 4 200 километров автодорог "
        "республиканского значения, капитальный и средний ремонт проведен еще на 3 100 "
        "километрах, передает Kazinform со ссылкой на пресс-службу Премьер-министра.\n"
        "Доля республиканских дорог в нормативном состоянии достигла 91 процента. В 2027 "
        "году начнется реконструкция трассы Актобе – Улгайсын.",
        "b_outlets": PRIRECHYE,
        "b_at": "2026-11-21T10:15:00Z",
    },
    {
        "kind": "short reprint: credited",
        "lang": "ru",
        "reprint": True,
        "credited": True,
        "a": _ROADS,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-21T06:00:00Z",
        "b": "Завершено строительство участков трассы Центр – Восток и обхода Шымкента, "
        "открыто движение по 11 новым мостам. Доля республиканских дорог в нормативном "
        "состоянии достигла 91 процента.\nПремьер-министр Олжас Бектенов поручил до конца "
        "года устранить замечания по качеству работ за счет подрядчиков, пишет "
        "primeminister.kz.",
        "b_outlets": KARAGANDA,
        "b_at": "2026-11-21T13:00:00Z",
    },
    {
        "kind": "short, same event, own words",
        "lang": "ru",
        "reprint": False,
        "credited": False,
        "a": _ROADS,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-21T06:00:00Z",
        "b": "Дорожники отчитались перед Правительством: за сезон построили и отремонтировали "
        "больше 7 тысяч километров трасс, в том числе 4 200 километров новых и "
        "реконструированных. Открыто 11 мостов.\nНурлан Сауранбаев заверил, что дорог в "
        "нормативном состоянии теперь 91 процент. За брак подрядчики будут переделывать "
        "работу за свой счет, предупредил Олжас Бектенов.",
        "b_outlets": ERTIS,
        "b_at": "2026-11-21T08:20:00Z",
    },
    {
        "kind": "short reprint: uncredited",
        "lang": "ru",
        "reprint": True,
        "credited": False,
        "a": _SCHOOLS,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-24T07:10:00Z",
        "b": "С начала года по национальному проекту «Комфортная школа» введены в "
        "эксплуатацию 217 школ на 312 тысяч ученических мест, до конца года будут сданы "
        "еще 52 объекта.\nВ результате ликвидировано 86 аварийных школ и 34 школы с "
        "трехсменным обучением.",
        "b_outlets": PRIRECHYE,
        "b_at": "2026-11-24T09:00:00Z",
    },
    {
        "kind": "short reprint: credited",
        "lang": "ru",
        "reprint": True,
        "credited": True,
        "a": _SCHOOLS,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-24T07:10:00Z",
        "b": "В Казахстане с начала года открыли 217 школ на 312 тысяч мест. Как сообщает "
        "Primeminister.kz, до конца года будут сданы еще 52 объекта.\nВсе новые здания "
        "оснащены кабинетами робототехники, спортивными залами и бассейнами. "
        "Премьер-министр поручил акиматам обеспечить школы педагогами и не допускать "
        "удорожания проектов.",
        "b_outlets": ERTIS,
        "b_at": "2026-11-24T12:45:00Z",
    },
    {
        "kind": "short, same event, own words",
        "lang": "ru",
        "reprint": False,
        "credited": False,
        "a": _SCHOOLS,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-24T07:10:00Z",
        "b": "Трехсменок в стране стало меньше на 34: их закрыли благодаря новым зданиям. Гани "
        "Бейсембаев рассказал Правительству, что в этом году сдали 217 школ, а до "
        "декабря откроют еще 52.\nВ каждой есть бассейн, спортзал и кабинет робототехники. "
        "Аварийных школ стало меньше на 86.",
        "b_outlets": KARAGANDA,
        "b_at": "2026-11-24T10:10:00Z",
    },
    # An akimat's own short news, reprinted almost whole.
    {
        "kind": "short reprint: uncredited",
        "lang": "ru",
        "reprint": True,
        "credited": False,
        "a": _VACCINE,
        "a_outlets": PAVLODAR_AKIMAT,
        "a_at": "2026-11-18T04:30:00Z",
        "b": "В Павлодарской области стартовала сезонная вакцинация против гриппа. В регион "
        "поступило 96 тысяч доз вакцины.\nПрививки бесплатно ставят в поликлиниках по "
        "месту прикрепления. К 10 декабря планируется привить не менее 80 процентов "
        "людей из групп риска. Справки по телефону call-центра 1406.",
        "b_outlets": ERTIS,
        "b_at": "2026-11-18T06:10:00Z",
    },
    {
        "kind": "short reprint: credited",
        "lang": "ru",
        "reprint": True,
        "credited": True,
        "a": _VACCINE,
        "a_outlets": PAVLODAR_AKIMAT,
        "a_at": "2026-11-18T04:30:00Z",
        "b": "В регион поступило 96 тысяч доз вакцины против гриппа, прививки в первую очередь "
        "получат дети, беременные женщины, люди старше 65 лет и медицинские работники. "
        "Вакцинация проводится бесплатно в поликлиниках по месту прикрепления, сообщает "
        "акимат Павлодарской области.",
        "b_outlets": PRIRECHYE,
        "b_at": "2026-11-18T07:00:00Z",
    },
    {
        "kind": "short, same event, own words",
        "lang": "ru",
        "reprint": False,
        "credited": False,
        "a": _VACCINE,
        "a_outlets": PAVLODAR_AKIMAT,
        "a_at": "2026-11-18T04:30:00Z",
        "b": "Бесплатную прививку от гриппа павлодарцы из групп риска могут сделать уже сейчас: "
        "область получила 96 тысяч доз. Первыми вакцину получат дети, беременные, "
        "пенсионеры старше 65 лет и врачи.\nОстальным придется платить в частных клиниках. "
        "Медики рассчитывают до 10 декабря охватить 80 процентов групп риска.",
        "b_outlets": KARAGANDA,
        "b_at": "2026-11-18T08:15:00Z",
    },
    {
        "kind": "short reprint: uncredited",
        "lang": "ru",
        "reprint": True,
        "credited": False,
        "a": _BRIDGE,
        "a_outlets": PAVLODAR_AKIMAT,
        "a_at": "2026-11-25T09:00:00Z",
        "b": "Аким области Асаин Байханов проверил ход реконструкции моста через Иртыш в "
        "Павлодаре. Стоимость работ составляет 14,6 миллиарда тенге.\nДвижение по мосту "
        "планируется открыть 25 декабря, на две недели раньше срока. До открытия на мосту "
        "установят камеры видеофиксации скорости.",
        "b_outlets": PRIRECHYE,
        "b_at": "2026-11-25T11:30:00Z",
    },
    {
        "kind": "short, same event, own words",
        "lang": "ru",
        "reprint": False,
        "credited": False,
        "a": _BRIDGE,
        "a_outlets": PAVLODAR_AKIMAT,
        "a_at": "2026-11-25T09:00:00Z",
        "b": "Мост через Иртыш откроют раньше обещанного – 25 декабря. Об этом стало известно "
        "во время объезда Асаина Байханова. Рабочие уже кладут асфальт и ставят фонари, "
        "ремонт обойдется в 14,6 миллиарда тенге.\nВодителям стоит помнить: скорость на "
        "мосту будут фиксировать камеры.",
        "b_outlets": ERTIS,
        "b_at": "2026-11-25T12:00:00Z",
    },
    # Kazakh: the release cut down, credited after the verb, before it, or not at all.
    {
        "kind": "short reprint: credited",
        "lang": "kk",
        "reprint": True,
        "credited": True,
        "a": _HEAT_KK,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-15T04:30:00Z",
        "b": "Энергетика министрі Алмасадам Сәтқалиевтің айтуынша, елдегі 37 жылу электр "
        "станциясы қалыпты режимде жұмыс істеп тұр. Станциялардағы көмір қоры 4,8 "
        "миллион тоннаны құрайды.\nЕкібастұз, Өскемен және Петропавл қалаларында "
        "энергоблоктарды жөндеу аяқталды, деп хабарлайды Primeminister.kz.",
        "b_outlets": ORTALYQ,
        "b_at": "2026-11-15T08:00:00Z",
    },
    {
        "kind": "short reprint: uncredited",
        "lang": "kk",
        "reprint": True,
        "credited": False,
        "a": _HEAT_KK,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-15T04:30:00Z",
        "b": "Үкімет отырысында жылу беру маусымының барысы қаралды. Елдегі 37 жылу электр "
        "станциясы қалыпты режимде жұмыс істеп тұр, маусым басталғалы жылудың апатты "
        "ажыратылуына жол берілген жоқ.\nҮкімет басшысы ауруханалар мен мектептердің "
        "резервтік қуат көздерін тексеруді тапсырды.",
        "b_outlets": ASTANA_AKSHAMY,
        "b_at": "2026-11-15T10:20:00Z",
    },
    {
        "kind": "short, same event, own words",
        "lang": "kk",
        "reprint": False,
        "credited": False,
        "a": _HEAT_KK,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-15T04:30:00Z",
        "b": "Жылу маусымы тыныш өтіп жатыр: Алмасадам Сәтқалиев Үкіметке 37 станцияның бәрі "
        "іркіліссіз жұмыс істейтінін айтты. Көмір жеткілікті, қорда 4,8 миллион тонна "
        "бар.\nОлжас Бектенов ауруханалар мен мектептерге ерекше назар аударып, апаттық "
        "бригадаларды әзір ұстауды талап етті.",
        "b_outlets": ORTALYQ,
        "b_at": "2026-11-15T09:10:00Z",
    },
    {
        "kind": "short reprint: credited",
        "lang": "kk",
        "reprint": True,
        "credited": True,
        "a": _GRAIN_KK,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-16T06:15:00Z",
        "b": "Primeminister.kz мәліметінше, қаңтар-қазан айларында шетелге 8,6 миллион тонна "
        "астық пен оның өңделген өнімдері жөнелтілді, бұл өткен жылдың сәйкес кезеңімен "
        "салыстырғанда 18 пайызға көп.\nҚазақстан бидайы алғаш рет Ақтау порты арқылы "
        "Иран мен Әзербайжанға жеткізілді.",
        "b_outlets": ASTANA_AKSHAMY,
        "b_at": "2026-11-16T09:40:00Z",
    },
    {
        "kind": "short reprint: third party credited",
        "lang": "kk",
        "reprint": True,
        "credited": False,
        "a": _GRAIN_KK,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-16T06:15:00Z",
        "b": "Қаңтар-қазан айларында шетелге 8,6 миллион тонна астық пен оның өңделген "
        "өнімдері жөнелтілді, деп хабарлайды ҚазАқпарат.\nНегізгі сатып алушылар – "
        "Өзбекстан, Тәжікстан, Ауғанстан және Қытай. Жүк тиеуді жеделдету үшін "
        "«Қазақстан темір жолы» АҚ қосымша 2 500 вагон бөлді.",
        "b_outlets": ORTALYQ,
        "b_at": "2026-11-16T12:00:00Z",
    },
    {
        "kind": "short, same event, own words",
        "lang": "kk",
        "reprint": False,
        "credited": False,
        "a": _GRAIN_KK,
        "a_outlets": PRIMEMINISTER,
        "a_at": "2026-11-16T06:15:00Z",
        "b": "Қазақстан астығы жаңа нарыққа шықты: бидай алғаш рет Иран мен Әзербайжанға "
        "Ақтау арқылы жетті. Айдарбек Сапаровтың айтуынша, он айда экспорт 18 пайызға өсіп, "
        "8,6 миллион тоннаға жеткен.\nТемір жолшылар жүк тиеуді тездету үшін 2 500 вагон "
        "қосты.",
        "b_outlets": ASTANA_AKSHAMY,
        "b_at": "2026-11-16T11:00:00Z",
    },
    {
        "kind": "short reprint: uncredited",
        "lang": "kk",
        "reprint": True,
        "credited": False,
        "a": _KARAGANDA_KK,
        "a_outlets": ("Қарағанды облысының әкімдігі", "gov.kz"),
        "a_at": "2026-11-26T05:00:00Z",
        "b": "Облыс әкімі Ермағанбет Бөлекпаев Теміртаудағы жаңа көпбейінді аурухананың "
        "құрылысын аралады. Құны 42 миллиард теңге болатын нысан 300 төсекке арналған.\n"
        "Медициналық жабдықтың 70 пайызы жеткізілді. Аурухананы келесі жылдың наурыз "
        "айында пайдалануға беру жоспарланған.",
        "b_outlets": ORTALYQ,
        "b_at": "2026-11-26T07:30:00Z",
    },
    {
        "kind": "short, same event, own words",
        "lang": "kk",
        "reprint": False,
        "credited": False,
        "a": _KARAGANDA_KK,
        "a_outlets": ("Қарағанды облысының әкімдігі", "gov.kz"),
        "a_at": "2026-11-26T05:00:00Z",
        "b": "Теміртауда 300 орындық жаңа аурухана наурызда ашылады. Құрылысты аралаған "
        "Ермағанбет Бөлекпаев жұмыстың қарқынына көңілі толатынын айтты. Нысанға 42 "
        "миллиард теңге жұмсалады, қажетті құрал-жабдықтың басым бөлігі әкелінді.\n"
        "Мұнда жүрек, жүйке және жарақат бойынша көмек көрсетіледі.",
        "b_outlets": KAZINFORM,
        "b_at": "2026-11-26T08:00:00Z",
    },
]

# Daily template notices of one outlet: the same words on other days, with other figures
# or other names. Each series is written out day by day.
SHORT_SERIES: list[dict[str, object]] = [
    {
        "kind": "short template: exchange rates",
        "lang": "ru",
        "outlets": PRIRECHYE,
        "days": [
            "Национальный банк установил официальный курс доллара на 21 ноября на уровне 476,35 "
            "тенге. Курс евро составил 502,18 тенге, российского рубля – 5,97 тенге.\n"
            "Средневзвешенный курс доллара по итогам утренней сессии на KASE – 476,10 тенге. "
            "Курс в обменных пунктах может отличаться от официального.",
            "Национальный банк установил официальный курс доллара на 22 ноября на уровне 477,02 "
            "тенге. Курс евро составил 503,40 тенге, российского рубля – 5,99 тенге.\n"
            "Средневзвешенный курс доллара по итогам утренней сессии на KASE – 477,25 тенге. "
            "Курс в обменных пунктах может отличаться от официального.",
            "Национальный банк установил официальный курс доллара на 25 ноября на уровне 475,80 "
            "тенге. Курс евро составил 501,66 тенге, российского рубля – 5,95 тенге.\n"
            "Средневзвешенный курс доллара по итогам утренней сессии на KASE – 475,64 тенге. "
            "Курс в обменных пунктах может отличаться от официального.",
        ],
    },
    {
        "kind": "short template: water outage",
        "lang": "ru",
        "outlets": ERTIS,
        "days": [
            "В связи с плановыми ремонтными работами на водопроводных сетях 22 ноября с 09:00 "
            "до 18:00 будет прекращена подача холодной воды по улицам Академика Сатпаева, "
            "Ленина и Кутузова.\nГКП «Павлодар-Водоканал» приносит извинения за временные "
            "неудобства. Справки по телефону диспетчерской службы 32-13-41.",
            "В связи с плановыми ремонтными работами на водопроводных сетях 24 ноября с 10:00 "
            "до 17:00 будет прекращена подача холодной воды по улицам Торайгырова, Естая и "
            "Ломова.\nГКП «Павлодар-Водоканал» приносит извинения за временные неудобства. "
            "Справки по телефону диспетчерской службы 32-13-41.",
            "В связи с аварийными работами на водопроводных сетях 26 ноября с 08:00 до 20:00 "
            "будет прекращена подача холодной воды в микрорайоне Усолка, по улицам Камзина и "
            "Майры.\nГКП «Павлодар-Водоканал» приносит извинения за временные неудобства. "
            "Справки по телефону диспетчерской службы 32-13-41.",
        ],
    },
    {
        "kind": "short template: reception of citizens",
        "lang": "ru",
        "outlets": PAVLODAR_AKIMAT,
        "days": [
            "Аким Павлодарской области Асаин Байханов провел личный прием граждан. Жители "
            "обратились по вопросам ремонта дорог, благоустройства дворов и трудоустройства.\n"
            "По всем обращениям даны поручения ответственным службам, часть вопросов решена на "
            "месте. Записаться на прием можно через канцелярию акимата области.",
            "Заместитель акима Павлодарской области Наталья Дьякова провела личный прием "
            "граждан. Жители обратились по вопросам газификации, выделения жилья и работы "
            "общественного транспорта.\nПо всем обращениям даны поручения ответственным "
            "службам, часть вопросов решена на месте. Записаться на прием можно через "
            "канцелярию акимата области.",
            "Аким Экибастуза Нуржан Рамазанов провел личный прием граждан. Жители обратились по "
            "вопросам отопления, ремонта подъездов и выделения земельных участков.\nПо всем "
            "обращениям даны поручения ответственным службам, часть вопросов решена на месте. "
            "Записаться на прием можно через канцелярию акимата области.",
        ],
    },
    {
        "kind": "short template: weather",
        "lang": "kk",
        "outlets": ASTANA_AKSHAMY,
        "days": [
            "Ертең, 21 қарашада, Астанада ауа райы тұрақсыз болады. Түнде аяз 8-10 градус, "
            "күндіз 2-4 градус суық. Оңтүстік-батыстан соғатын желдің жылдамдығы секундына "
            "9-14 метр.\n«Қазгидромет» РМК синоптиктері жүргізушілерді жолдағы көктайғақтан сақ "
            "болуға шақырады.",
            "Ертең, 22 қарашада, Астанада ауа райы тұрақсыз болады. Түнде аяз 12-14 градус, "
            "күндіз 5-7 градус суық. Солтүстік-батыстан соғатын желдің жылдамдығы секундына "
            "12-17 метр.\n«Қазгидромет» РМК синоптиктері жүргізушілерді жолдағы көктайғақтан "
            "сақ болуға шақырады.",
            "Ертең, 23 қарашада, Астанада ауа райы тұрақсыз болады. Түнде аяз 15-17 градус, "
            "күндіз 9-11 градус суық. Батыстан соғатын желдің жылдамдығы секундына 15-20 метр.\n"
            "«Қазгидромет» РМК синоптиктері жүргізушілерді жолдағы көктайғақтан сақ болуға "
            "шақырады.",
        ],
    },
    {
        "kind": "short template: exchange rates",
        "lang": "kk",
        "outlets": ORTALYQ,
        "days": [
            "Ұлттық банк 21 қарашаға арналған ресми валюта бағамын белгіледі. Доллардың бағамы "
            "476,35 теңге, еуроның бағамы 502,18 теңге, ресей рублінің бағамы 5,97 теңге болды.\n"
            "KASE-дегі таңғы сауда қорытындысы бойынша доллардың орташа алынған бағамы 476,10 "
            "теңгені құрады. Айырбастау пункттеріндегі бағам ресми бағамнан өзгеше болуы мүмкін.",
            "Ұлттық банк 22 қарашаға арналған ресми валюта бағамын белгіледі. Доллардың бағамы "
            "477,02 теңге, еуроның бағамы 503,40 теңге, ресей рублінің бағамы 5,99 теңге болды.\n"
            "KASE-дегі таңғы сауда қорытындысы бойынша доллардың орташа алынған бағамы 477,25 "
            "теңгені құрады. Айырбастау пункттеріндегі бағам ресми бағамнан өзгеше болуы мүмкін.",
            "Ұлттық банк 25 қарашаға арналған ресми валюта бағамын белгіледі. Доллардың бағамы "
            "475,80 теңге, еуроның бағамы 501,66 теңге, ресей рублінің бағамы 5,95 теңге болды.\n"
            "KASE-дегі таңғы сауда қорытындысы бойынша доллардың орташа алынған бағамы 475,64 "
            "теңгені құрады. Айырбастау пункттеріндегі бағам ресми бағамнан өзгеше болуы мүмкін.",
        ],
    },
    {
        "kind": "short template: road closures",
        "lang": "ru",
        "outlets": KARAGANDA,
        "days": [
            "В связи с ухудшением погодных условий с 06:00 закрыто движение для всех видов "
            "транспорта на участке трассы Караганда – Балхаш. Ограничения введены до улучшения "
            "погоды.\nДепартамент полиции Карагандинской области просит водителей воздержаться "
            "от поездок. Узнать о состоянии дорог можно по номеру 1403.",
            "В связи с ухудшением погодных условий с 04:00 закрыто движение для всех видов "
            "транспорта на участках трасс Караганда – Темиртау и Караганда – Каркаралинск. "
            "Ограничения введены до улучшения погоды.\nДепартамент полиции Карагандинской "
            "области просит водителей воздержаться от поездок. Узнать о состоянии дорог можно "
            "по номеру 1403.",
            "В связи с ухудшением погодных условий с 07:00 закрыто движение для грузового "
            "транспорта и автобусов на участке трассы Астана – Караганда. Ограничения введены "
            "до улучшения погоды.\nДепартамент полиции Карагандинской области просит водителей "
            "воздержаться от поездок. Узнать о состоянии дорог можно по номеру 1403.",
        ],
    },
]

_FAIR = (
    "В Павлодаре 30 ноября пройдет ярмарка сельскохозяйственной продукции. Фермеры области "
    "привезут мясо, молочную продукцию, овощи и муку по ценам ниже рыночных на 10–15 "
    "процентов.\nЯрмарка будет работать с 09:00 до 15:00 на площади перед Дворцом спорта "
    "«Астана». Вход свободный."
)
SHORT_ITEMS += [
    # A short notice of an akimat reprinted whole, and next week's notice of the same kind.
    {
        "kind": "short reprint: credited",
        "lang": "ru",
        "reprint": True,
        "credited": True,
        "a": _FAIR,
        "a_outlets": PAVLODAR_AKIMAT,
        "a_at": "2026-11-27T03:00:00Z",
        "b": "В Павлодаре 30 ноября пройдет ярмарка сельскохозяйственной продукции, сообщает "
        "акимат Павлодарской области. Фермеры области привезут мясо, молочную продукцию, "
        "овощи и муку по ценам ниже рыночных на 10–15 процентов.\nЯрмарка будет работать "
        "на площади перед Дворцом спорта «Астана».",
        "b_outlets": PRIRECHYE,
        "b_at": "2026-11-27T05:30:00Z",
    },
    {
        "kind": "short template: weekly fair",
        "lang": "ru",
        "reprint": False,
        "credited": False,
        "a": _FAIR,
        "a_outlets": PAVLODAR_AKIMAT,
        "a_at": "2026-11-27T03:00:00Z",
        "b": "В Павлодаре 7 декабря пройдет ярмарка сельскохозяйственной продукции. Фермеры "
        "Железинского и Щербактинского районов привезут мясо, картофель, мед и муку по "
        "ценам ниже рыночных.\nЯрмарка будет работать с 10:00 до 16:00 на площади перед "
        "Дворцом спорта «Астана». Вход свободный.",
        "b_outlets": PAVLODAR_AKIMAT,
        "b_at": "2026-12-04T03:00:00Z",
    },
]


def short_pairs() -> list[dict[str, object]]:
    """The hand-written short pairs, and each short copy against another release of the
    same office (one vocabulary, other facts). Half the originals (in order: the first,
    third...) and half the template series tune the rule; the rest are held out."""
    originals = list(dict.fromkeys(str(item["a"]) for item in SHORT_ITEMS))
    split = {text: ("tune", "held-out")[number % 2] for number, text in enumerate(originals)}
    pairs: list[dict[str, object]] = []
    for item in SHORT_ITEMS:
        pairs.append({**item, "length": "short", "split": split[str(item["a"])]})
        if item["reprint"]:
            # The next original from the same office (its outlets' names), in order.
            same_office = [
                other for other in SHORT_ITEMS
                if other["a_outlets"] == item["a_outlets"] and other["a"] != item["a"]
            ]  # fmt: skip
            later = [
                o
                for o in same_office
                if originals.index(str(o["a"])) > originals.index(str(item["a"]))
            ] or same_office
            if later:
                other = later[0]
                pairs.append({**item, "a": other["a"], "a_at": other["a_at"], "reprint": False,
                              "credited": False, "length": "short",
                              "kind": "short, another release of the same office",
                              "split": split[str(item["a"])]})  # fmt: skip
    for number, series in enumerate(SHORT_SERIES):
        days = series["days"]
        assert isinstance(days, list)
        for first, second in itertools.combinations(range(len(days)), 2):
            pairs.append({
                "a": days[first], "b": days[second], "reprint": False, "credited": False,
                "kind": series["kind"], "lang": series["lang"], "length": "short",
                "split": ("tune", "held-out")[number % 2],
                "a_outlets": series["outlets"], "b_outlets": series["outlets"],
                "a_at": f"2026-11-{20 + first}T04:00:00Z",
                "b_at": f"2026-11-{20 + second}T04:00:00Z",
            })  # fmt: skip
    return pairs


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
        articles.append([t for t in parts if len(words_of(t)) >= LONG_WORDS])
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


# The releases of tests/reprintsites.py the long pairs are made of (the short ones and the
# re-post aside).
LONG_RELEASES = (
    "/press/101-modernizaciya-zhkh.html",
    "/press/102-otopitelnyj-sezon.html",
    "/press/103-eksport-zerna.html",
    "/press/104-zavod-shymkent.html",
    "/press/105-ispolnenie-byudzheta.html",
)


def labelled_pairs() -> list[dict[str, object]]:
    rng = random.Random(2026)
    articles = russian_articles()
    sys.path.insert(0, str(ROOT / "tests"))
    from reprintsites import RELEASES, STORIES

    # The long press releases of the tests, less the re-post of one of them.
    releases = ["\n\n".join(RELEASES[path][2]) for path in LONG_RELEASES]
    texts = [text for parts in articles for text in parts] + releases
    pairs: list[dict[str, object]] = []
    short_halves: list[dict[str, object]] = []
    for text in texts:
        for how in ("lead", "drop", "reword", "all", "credit", "half"):
            copy = edit(text, how, rng)
            if len(words_of(copy)) < LONG_WORDS:
                # What is left is a short copy (written before short pairs were linked,
                # when they were labelled "never linked").
                short_halves.append({"a": text, "b": copy, "reprint": True,
                                     "kind": "short reprint: the first half", "lang": "ru"})  # fmt: skip
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
    for pair in pairs:
        pair["length"] = "long"
    for number, pair in enumerate(short_halves):
        pair.update(length="short", split=("tune", "held-out")[number % 2])
    return pairs + short_halves + short_pairs()


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


def _publication(pair: dict[str, object], side: str) -> Publication | None:
    """One side of a short pair as the store sees it: its outlet's names, its date, and
    what its text credits (read by the attribution stage, as a crawl reads it)."""
    outlets = pair.get(f"{side}_outlets")
    if not isinstance(outlets, list | tuple):
        return None
    names = tuple(str(name) for name in outlets)
    source = find_source(str(pair[side]), names)
    moment = str(pair[f"{side}_at"])
    return Publication(side, names[0], f"https://{names[-1]}/{side}", moment, moment,
                       source.name if source else None, names)  # fmt: skip


def detected(pair: dict[str, object]) -> bool:
    """Whether the whole rule links the pair: a candidate of the LSH bands, then
    confirmed (with the pair's outlets and dates, when it has them)."""
    first, second = fingerprint(str(pair["a"])), fingerprint(str(pair["b"]))
    if first is None or second is None:
        return False
    shared = set(band_keys(first.signature)) & set(band_keys(second.signature))
    if len(shared) < bands_needed(first.words, second.words):
        return False
    first_article, second_article = _publication(pair, "a"), _publication(pair, "b")
    if first_article is None or second_article is None:
        first_article = Publication("a", "a", "https://a/a", None, None, None, ())
        second_article = Publication("b", "b", "https://b/b", None, None, None, ())
    texts = (str(pair["a"]), str(pair["b"]))
    return reprint_overlap(first, first_article, second, second_article, lambda: texts) is not None


def credited_right(pair: dict[str, object]) -> bool:
    """Whether the copy (b) is credited to the original (a) exactly when it names it."""
    original, copy = _publication(pair, "a"), _publication(pair, "b")
    return (
        original is not None
        and copy is not None
        and (credits(copy, original) == bool(pair["credited"]))
    )


def score_pairs(pairs: list[dict[str, object]]) -> dict[str, object]:
    kinds: dict[str, list[int]] = {}
    tp = fp = fn = 0
    credit_checks = credit_right = 0
    for pair in pairs:
        found = detected(pair)
        right = found == pair["reprint"]
        kind = str(pair["kind"])
        kinds.setdefault(kind, [0, 0])
        kinds[kind][0] += right
        kinds[kind][1] += 1
        tp += found and bool(pair["reprint"])
        fp += found and not pair["reprint"]
        fn += (not found) and bool(pair["reprint"])
        if found and pair["reprint"] and "credited" in pair:
            credit_checks += 1
            credit_right += credited_right(pair)
    return {
        "pairs": len(pairs),
        "reprints": tp + fn,
        "precision": round(tp / max(tp + fp, 1), 3),
        "recall": round(tp / max(tp + fn, 1), 3),
        "false_links": fp,
        "credited_flag_right": f"{credit_right}/{credit_checks}",
        "by_kind": {k: f"{right}/{total}" for k, (right, total) in sorted(kinds.items())},
    }


def score_by_length(pairs: list[dict[str, object]]) -> dict[str, object]:
    """Long and short pairs apart; the short ones also by split (tuned on, held out)."""
    long_pairs = [p for p in pairs if p.get("length") != "short"]
    short = [p for p in pairs if p.get("length") == "short"]
    return {
        "long": score_pairs(long_pairs),
        "short": score_pairs(short),
        "short, tuning half": score_pairs([p for p in short if p.get("split") == "tune"]),
        "short, held-out half": score_pairs([p for p in short if p.get("split") != "tune"]),
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
    print("labelled pairs:", json.dumps(score_by_length(pairs), ensure_ascii=False, indent=1))
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
