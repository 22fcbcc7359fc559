"""Reprints on a hostile web: a paragraph a site prints under every article (a cookie and
rights notice) links nothing, and a text repeated on hundreds of sites (an identical
notice) keeps each article's comparisons bounded. Real SQLite, the store's own path."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from pipelines.article import Article
from pipelines.stages.reprints import (
    FURNITURE_ARTICLES,
    MAX_BUCKET,
    MIN_WORDS,
    candidate_pairs,
    paragraph_key,
    paragraph_keys,
    without_furniture,
    words_of,
)
from pipelines.store import Store
from tests.conftest import FETCHED_AT

# A site's cookie and rights paragraph: 75 words, printed under every article.
COOKIE_NOTICE = (
    "Мы используем файлы cookie, чтобы сайт работал быстрее и удобнее для вас. Продолжая "
    "просматривать страницы сайта, вы соглашаетесь с условиями использования файлов cookie "
    "и политикой конфиденциальности редакции. Все права на материалы, опубликованные на "
    "сайте, принадлежат редакции и охраняются законодательством Республики Казахстан об "
    "авторском праве и смежных правах. Любое использование материалов сайта, включая "
    "перепечатку, цитирование и размещение в социальных сетях, допускается только с "
    "письменного разрешения редакции и при обязательной гиперссылке на первоисточник."
)
# A notice of over MIN_WORDS words, the same word for word wherever it is printed.
SHORT_NOTICE = (
    "Уважаемые читатели! В связи с проведением плановых технических работ на сервере "
    "редакции отдельные разделы сайта, включая архив публикаций, поиск по материалам, "
    "раздел фотогалерей и форму обратной связи, могут быть временно недоступны для "
    "посетителей. Приносим свои извинения за возможные неудобства. Все опубликованные "
    "ранее материалы будут сохранены в полном объеме, а работа сайта будет восстановлена "
    "в ближайшее время. Следите за нашими новостями в официальных аккаунтах редакции."
)
VOCABULARY = sorted(set(words_of(COOKIE_NOTICE + " " + SHORT_NOTICE)))
START = datetime(2026, 11, 1, tzinfo=UTC)


def _story(rng: random.Random, words: int) -> str:
    """A text of its own: words in an order no other text has."""
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "."


def _store(store: Store, number: int, site: str, body: str) -> str:
    published = (START + timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
    article = Article(
        url=f"https://{site}.kz/news/{number}",
        site=site,
        title=f"№{number}",
        body=body,
        published_at_utc=published,
    )
    identifier, _ = store.save_article(article, FETCHED_AT, None)
    store.link_reprints(identifier, now=FETCHED_AT)
    return identifier


def _links(store: Store) -> dict[str, str]:
    return dict(store.db.execute("SELECT copy_id, original_id FROM reprints").fetchall())


def test_a_paragraph_becomes_furniture_on_enough_articles_of_its_site():
    site, other = "cookies_ru", "outlet_ru"
    body = _story(random.Random(1), 30) + "\n\n" + COOKIE_NOTICE
    key = paragraph_key(site, words_of(COOKIE_NOTICE))
    # Case, ё and punctuation make no other paragraph; another site's copy is its own.
    assert paragraph_key(site, words_of(COOKIE_NOTICE.upper() + "!")) == key
    assert paragraph_key(other, words_of(COOKIE_NOTICE)) != key
    assert key in paragraph_keys(site, body)
    assert without_furniture(site, body, {key}) == body.split("\n")[0] + "\n"


def test_articles_sharing_only_a_boilerplate_paragraph_are_not_reprints():
    rng = random.Random(7)
    with Store.open(":memory:") as store:
        ids, own_texts = [], []
        for number in range(300):
            if number == 150:  # a real reprint: another article's own text, word for word
                own = own_texts[40]
            else:
                own = _story(rng, 90 if number == 40 else rng.randint(10, 50))
            own_texts.append(own)
            ids.append(_store(store, number, "cookies_ru", own + "\n\n" + COOKIE_NOTICE))
            if number == FURNITURE_ARTICLES - 2:
                # Before the paragraph is known as furniture, the first articles link.
                assert len(_links(store)) == FURNITURE_ARTICLES - 2
        assert _links(store) == {ids[150]: ids[40]}
        furniture = store.db.execute(
            "SELECT articles, furniture, holders FROM reprint_paragraphs WHERE furniture = 1"
        ).fetchall()
        assert furniture == [(300, 1, None)]
        # A rebuild counts first and indexes then: the same index, the same link.
        assert store.rebuild_reprints(now=FETCHED_AT) == (300, 1)
        assert _links(store) == {ids[150]: ids[40]}


def test_an_article_changed_again_and_again_does_not_make_its_own_furniture():
    rng = random.Random(3)
    with Store.open(":memory:") as store:
        lasting = _story(rng, 70)
        identifier = _store(store, 1, "edits_ru", lasting + "\n\n" + _story(rng, 20))
        for _ in range(FURNITURE_ARTICLES + 2):
            store.db.execute(
                "UPDATE articles SET body = ? WHERE id = ?",
                [lasting + "\n\n" + _story(rng, 20), identifier],
            )
            store.link_reprints(identifier, now=FETCHED_AT)
        counts = store.db.execute(
            "SELECT articles, furniture FROM reprint_paragraphs ORDER BY articles DESC"
        ).fetchall()
        assert counts == [(1, 0), (1, 0)]
        assert store.db.execute("SELECT words FROM reprint_index").fetchall() == [(90,)]


def test_identical_notices_on_many_sites_keep_each_lookup_bounded():
    assert len(words_of(SHORT_NOTICE)) >= MIN_WORDS
    with Store.open(":memory:") as store:
        comparisons = []
        notices = MAX_BUCKET + 30
        for number in range(notices):
            before = store.reprint_comparisons
            _store(store, number, f"site{number:03d}_ru", SHORT_NOTICE)
            comparisons.append(store.reprint_comparisons - before)
        # The first MAX_BUCKET + 1 copies meet each other; later ones meet no one.
        assert max(comparisons) == MAX_BUCKET
        assert sum(comparisons[MAX_BUCKET + 1 :]) == 0
        assert len(_links(store)) == MAX_BUCKET
        assert store.rebuild_reprints(now=FETCHED_AT) == (notices, MAX_BUCKET)


def test_a_rebuild_pairs_only_the_first_texts_of_a_crowded_band():
    import numpy as np

    texts = 3 * MAX_BUCKET
    keys = np.tile(np.array([[11, 12]], dtype=np.int64), (texts, 1))
    pairs = candidate_pairs(keys)
    assert len(pairs) == MAX_BUCKET * (MAX_BUCKET + 1) // 2
    assert pairs.max() == MAX_BUCKET


def test_articles_indexed_before_the_furniture_counts_ask_for_a_rebuild():
    rng = random.Random(5)
    with Store.open(":memory:") as store:
        for number in range(3):
            _store(store, number, "old_ru", _story(rng, 70) + "\n\n" + COOKIE_NOTICE)
        assert store.unindexed_articles() == 0
        # What an index made before the migration holds: no paragraph keys.
        store.db.execute("UPDATE reprint_index SET paragraphs = NULL WHERE article_rowid < 3")
        assert store.unindexed_articles() == 2
        store.rebuild_reprints(now=FETCHED_AT)
        assert store.unindexed_articles() == 0
        assert store.db.execute("SELECT sum(articles) FROM reprint_paragraphs").fetchone() == (6,)
