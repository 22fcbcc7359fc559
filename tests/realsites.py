"""Local sites shaped like the real ones (shared/research/real-sites.md), served on
127.0.0.1 by newsbot's LocalSite: what add-site and the spider meet out there.

- `primeminister_pages`: three editions under /ru/ /kz/ /en/, articles at
  /<ed>/news/[<rubric>/]<slug>-<id>, listing pages /<ed>/news/page/N linked by numbers
  only (no rel=next, no "next" word), no sitemap, no feed, no <article> element, rubric
  hubs (/ru/news/asset_recovery) and document pages without a date.
- `egemen_pages`: a Kazakh outlet moving from /article/<id>-<slug> to /news/<id>: its
  feed at /rss (not advertised) and its listing give the new form only.
- `tengri_pages`: Russian news at /<rubric>/<slug>-<id>/ with an advertised feed, a
  news sitemap named in robots.txt, listings /news/ and /news/page/N/ (numbered links),
  an imprint page.
"""

from __future__ import annotations

from html import escape

from newsbot.demo.server import Page

EDITIONS = {"ru": "ru", "kz": "kk", "en": "en"}
_PROSE = {
    "ru": (
        "Премьер-министр провел совещание с членами правительства и акимами областей. "
        "Обсуждены вопросы строительства социальных объектов, ремонта дорог и подготовки "
        "к отопительному сезону. Поручено завершить работы в установленные сроки и "
        "обеспечить прозрачность расходования бюджетных средств. Отдельное внимание "
        "уделено развитию малого и среднего бизнеса в регионах страны."
    ),
    "kk": (
        "Премьер-министр Үкімет мүшелері және облыс әкімдерімен кеңес өткізді. Кеңесте "
        "әлеуметтік нысандар құрылысы, жолдарды жөндеу және жылыту маусымына дайындық "
        "мәселелері қаралды. Жұмыстарды белгіленген мерзімде аяқтау және бюджет "
        "қаражатының ашық жұмсалуын қамтамасыз ету тапсырылды. Өңірлердегі шағын және "
        "орта бизнесті дамытуға ерекше назар аударылды."
    ),
    "en": (
        "The Prime Minister held a meeting with members of the government and regional "
        "governors. They discussed the construction of social facilities, road repairs "
        "and preparations for the heating season. The ministries were instructed to "
        "finish the work on time and to keep the spending of budget funds transparent. "
        "Particular attention was paid to small and medium businesses in the regions."
    ),
}
_WORDS = {
    "ru": ("Новости", "Документы", "О нас", "Контакты", "Главная"),
    "kk": ("Жаңалықтар", "Құжаттар", "Біз туралы", "Байланыс", "Басты бет"),
    "en": ("News", "Documents", "About", "Contacts", "Home"),
}
RUBRICS = ("asset_recovery", "digital_office")
PER_LISTING = 5


def html_page(body: str, title: str, lang: str = "ru", head: str = "") -> Page:
    return Page(
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{head}</head><body>{body}</body></html>".encode()
    )


# --- primeminister.kz ---------------------------------------------------------------


def _pm_header(edition: str) -> str:
    news, documents, about, contacts, home = _WORDS[EDITIONS[edition]]
    languages = "".join(f'<a href="/{e}/">{e.upper()}</a>' for e in EDITIONS)
    return (
        f'<header><nav><a href="/{edition}/">{home}</a><a href="/{edition}/news">{news}</a>'
        f'<a href="/{edition}/documents">{documents}</a><a href="/{edition}/about">{about}</a>'
        f'<a href="/{edition}/contacts">{contacts}</a></nav><div class="lang">{languages}</div>'
        "</header>"
    )


def _pm_footer() -> str:
    return "<footer><p>© Официальный информационный ресурс Премьер-министра РК</p></footer>"


def primeminister_articles(edition: str) -> list[tuple[str, str, str]]:
    """(path, title, date) of one edition's articles, newest first: a third of them under
    a rubric segment, as /ru/news/asset_recovery/<slug>-31773 is on the real site."""
    language = EDITIONS[edition]
    found = []
    for number in range(12):
        ident = 31780 - number * 7 + {"ru": 0, "kz": 1, "en": 2}[edition]
        slug = f"{edition}-premer-provel-soveshchanie-nomer-{number}-{ident}"
        rubric = f"{RUBRICS[number % 2]}/" if number % 3 == 2 else ""
        title = {
            "ru": f"Премьер-министр провел совещание номер {number + 1}",
            "kk": f"Премьер-министр {number + 1}-кеңесті өткізді",
            "en": f"Prime Minister held meeting number {number + 1}",
        }[language]
        date = f"{27 - number}.11.2026 {9 + number % 8}:{number * 4 % 60:02d}"
        found.append((f"/{edition}/news/{rubric}{slug}", title, date))
    return found


def _pm_article(edition: str, title: str, date: str, number: int) -> Page:
    language = EDITIONS[edition]
    prose = _PROSE[language]
    body = (
        f'{_pm_header(edition)}<main><div class="news-detail"><h1>{escape(title)}</h1>'
        f'<div class="news-date">{date}</div><div class="text">'
        f"<p>{prose}</p><p>{prose.split('. ', 1)[1]} ({number})</p></div></div>"
        f"</main>{_pm_footer()}"
    )
    return html_page(body, title, language)


def _pm_teasers(items: list[tuple[str, str, str]], language: str) -> str:
    return "".join(
        f'<div class="news-list__item"><a class="item" href="{path}">{escape(title)}</a>'
        f'<span class="date">{date}</span><p>{_PROSE[language][:90]}…</p></div>'
        for path, title, date in items
    )


def primeminister_pages() -> dict[str, Page | list[Page]]:
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /search\n", "text/plain"),
        "/": html_page(
            "<header>"
            + "".join(f'<a href="/{e}/">{e.upper()}</a>' for e in EDITIONS)
            + "</header><main><h1>Официальный информационный ресурс Премьер-министра</h1>"
            + "".join(f'<a href="/{e}/news">{_WORDS[EDITIONS[e]][0]}</a>' for e in EDITIONS)
            + f"</main>{_pm_footer()}",
            "Премьер-министр Республики Казахстан",
        ),
    }
    for edition, language in EDITIONS.items():
        articles = primeminister_articles(edition)
        news, documents, *_ = _WORDS[language]
        pages[f"/{edition}/"] = html_page(
            f"{_pm_header(edition)}<main><h2>{news}</h2>{_pm_teasers(articles[:3], language)}"
            f"</main>{_pm_footer()}",
            news,
            language,
        )
        listing_count = (len(articles) + PER_LISTING - 1) // PER_LISTING
        docs = [f"/{edition}/documents/postanovlenie-pravitelstva-{n}-{900 + n}" for n in (1, 2)]
        # The first listing page ends with the latest decrees: document pages.
        decrees = "".join(
            f'<a href="{d}">Постановление Правительства Республики Казахстан № {d[-3:]}</a>'
            for d in docs
        )
        for page in range(1, listing_count + 1):
            numbers = "".join(
                f'<span class="active">{n}</span>'
                if n == page
                else f'<a href="/{edition}/news/page/{n}">{n}</a>'
                for n in range(1, listing_count + 1)
            )
            chunk = articles[(page - 1) * PER_LISTING : page * PER_LISTING]
            path = f"/{edition}/news" if page == 1 else f"/{edition}/news/page/{page}"
            pages[path] = html_page(
                f"{_pm_header(edition)}<main><h1>{news}</h1>"
                + "".join(f'<a href="/{edition}/news/{r}">{r}</a> ' for r in RUBRICS)
                + f'{_pm_teasers(chunk, language)}<div class="pagination">{numbers}</div>'
                + (f'<div class="decrees">{decrees}</div>' if page == 1 else "")
                + f"</main>{_pm_footer()}",
                news,
                language,
            )
        for number, (path, title, date) in enumerate(articles):
            pages[path] = _pm_article(edition, title, date, number)
        for rubric in RUBRICS:
            # A rubric hub: a title, teasers with dates and snippets; not an article.
            own = [a for a in articles if f"/{rubric}/" in a[0]]
            pages[f"/{edition}/news/{rubric}"] = html_page(
                f"{_pm_header(edition)}<main><h1>{rubric.replace('_', ' ').title()}</h1>"
                f"{_pm_teasers(own + articles[:3], language)}</main>{_pm_footer()}",
                rubric,
                language,
            )
        # Document pages: a title and long text, no date, no article markup.
        pages[f"/{edition}/documents"] = html_page(
            f"{_pm_header(edition)}<main><h1>{documents}</h1>"
            + "".join(
                f'<a href="{d}">Постановление Правительства Республики Казахстан № {d[-3:]}</a>'
                for d in docs
            )
            + f"</main>{_pm_footer()}",
            documents,
            language,
        )
        for doc in docs:
            pages[doc] = html_page(
                f"{_pm_header(edition)}<main><h1>Постановление Правительства № {doc[-3:]}</h1>"
                f'<div class="text"><p>{_PROSE[language]}</p><p>{_PROSE[language]}</p></div>'
                f"</main>{_pm_footer()}",
                "Постановление",
                language,
            )
        for key, word in (("about", _WORDS[language][2]), ("contacts", _WORDS[language][3])):
            pages[f"/{edition}/{key}"] = html_page(
                f"{_pm_header(edition)}<main><h1>{word}</h1><p>Астана, Дом Правительства."
                f"</p></main>{_pm_footer()}",
                word,
                language,
            )
    return pages


# --- feeds: egemen.kz and tengrinews.kz -------------------------------------------------


def rss(base: str, items: list[tuple[str, str, str]]) -> Page:
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{base}{path}</link>"
        f"<pubDate>{date}</pubDate></item>"
        for path, title, date in items
    )
    return Page(
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title>'
        f"{entries}</channel></rss>".encode(),
        "application/rss+xml; charset=utf-8",
    )


def _visible_date(rss_date: str) -> str:
    """ "Thu, 26 Nov 2026 10:00:00 +0500" as the page prints it: "26.11.2026 10:00"."""
    _, day, _, year, clock, _ = rss_date.split()
    return f"{int(day):02d}.11.{year} {clock[:5]}"


def _news_article(title: str, date: str, language: str, header: str, markup: bool) -> Page:
    prose = _PROSE[language]
    head = '<meta property="og:type" content="article">' if markup else ""
    return html_page(
        f'{header}<div class="content"><h1>{escape(title)}</h1><span class="date">{date}</span>'
        f"<p>{prose}</p><p>{prose.split('. ', 2)[2]}</p></div>"
        "<footer><p>Свидетельство о постановке на учет № 12345-Г</p></footer>",
        title,
        language,
        head,
    )


def egemen_articles() -> list[tuple[str, str, str]]:
    return [
        (
            f"/news/{282170 - n}",
            f"Тәуелсіздік ұрпақтары: жаңалық {n + 1}",
            f"Thu, {26 - n} Nov 2026 1{n % 10}:00:00 +0500",
        )
        for n in range(8)
    ]


def egemen_pages(base: str) -> dict[str, Page | list[Page]]:
    """Its feed (at /rss, not advertised) and its listing give /news/<id> links; a config
    written for the old /article/<id>-<slug> form matches none of them."""
    header = '<header><a href="/">Egemen</a><a href="/news">Жаңалықтар</a><a href="/about">Біз туралы</a></header>'
    articles = egemen_articles()
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/": html_page(
            f"{header}<main>"
            + "".join(f'<h3><a href="{p}">{escape(t)}</a></h3>' for p, t, _ in articles[:4])
            + "</main>",
            "Egemen Qazaqstan",
            "kk",
        ),
        "/rss": rss(base, articles[:5]),
        "/news": html_page(
            f"{header}<main>"
            + "".join(f'<h3><a href="{p}">{escape(t)}</a></h3>' for p, t, _ in articles)
            + "</main>",
            "Жаңалықтар",
            "kk",
        ),
        "/about": html_page(
            f"{header}<h1>Біз туралы</h1><p>Газет 1919 жылдан шығады.</p>", "Біз туралы", "kk"
        ),
    }
    for path, title, date in articles:
        pages[path] = _news_article(title, _visible_date(date), "kk", header, markup=False)
    return pages


def news_sitemap(base: str, items: list[tuple[str, str, str]]) -> Page:
    entries = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication_date>2026-11-{26 - n}"
        f"T10:00:00+05:00</news:publication_date></news:news></url>"
        for n, (path, _, _) in enumerate(items)
    )
    return Page(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
        'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{entries}</urlset>".encode(),
        "application/xml",
    )


def tengri_articles() -> list[tuple[str, str, str]]:
    rubrics = ("kazakhstan_news", "world_news")
    return [
        (
            f"/{rubrics[n % 2]}/novost-dnya-nomer-{n + 1}-{584430 - n}/",
            f"Новость дня номер {n + 1} о событиях в Казахстане",
            f"Thu, {26 - n} Nov 2026 0{n % 10}:30:00 +0500",
        )
        for n in range(9)
    ]


def tengri_pages(base: str) -> dict[str, Page | list[Page]]:
    """An advertised feed (/news.rss) with the newest five, listings /news/ and
    /news/page/N/ with numbered links, article markup (og:type), an imprint page."""
    header = (
        '<header><a href="/">Tengrinews</a><a href="/news/">Новости</a>'
        '<a href="/kazakhstan_news/">Казахстан</a><a href="/contacts/">Контакты</a></header>'
    )
    articles = tengri_articles()
    head = f'<link rel="alternate" type="application/rss+xml" href="{base}/news.rss">'
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(
            f"User-agent: *\nDisallow: /search/\nSitemap: {base}/sitemap-news.xml\n".encode(),
            "text/plain",
        ),
        "/sitemap-news.xml": news_sitemap(base, articles[:6]),
        "/": html_page(
            f"{header}<main>"
            + "".join(f'<a class="tn-link" href="{p}">{escape(t)}</a>' for p, t, _ in articles[:3])
            + "</main>",
            "Tengrinews.kz",
            "ru",
            head,
        ),
        "/news.rss": rss(base, articles[:5]),
        "/contacts/": html_page(f"{header}<h1>Контакты</h1><p>Алматы, пр. Абая 1.</p>", "Контакты"),
        "/kazakhstan_news/": html_page(
            f"{header}<h1>Казахстан</h1>"
            + "".join(f'<a href="{p}">{escape(t)}</a>' for p, t, _ in articles if "kazakh" in p),
            "Казахстан",
        ),
    }
    chunks = [articles[:4], articles[4:8], articles[8:]]
    for number, chunk in enumerate(chunks, start=1):
        links = "".join(
            f'<span class="active">{n}</span>'
            if n == number
            else f'<a href="/news/page/{n}/">{n}</a>'
            for n in range(1, len(chunks) + 1)
        )
        path = "/news/" if number == 1 else f"/news/page/{number}/"
        pages[path] = html_page(
            f"{header}<div class='tn-article-grid'>"
            + "".join(
                f'<div class="tn-article-item"><a class="tn-link" href="{p}">{escape(t)}</a></div>'
                for p, t, _ in chunk
            )
            + f"</div><div class='pagination'>{links}</div>",
            "Новости",
        )
    for path, title, date in articles:
        pages[path] = _news_article(title, _visible_date(date), "ru", header, markup=True)
    return pages
