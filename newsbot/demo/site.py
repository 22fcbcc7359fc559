"""The offline demo site: a small media holding with five editions, each in its own page
layout and with its own footer, written in the real imprint wordings collected in
../shared/research/imprints.md (the numbers and names are the demo's own).

It has listing pages with pagination, tag pages, a sitemap index with a news sitemap,
an RSS feed, an imprint page ("Выходные данные"), robots.txt and a disallowed area; one
edition is served in windows-1251.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from newsbot.demo.articles import ARTICLES, DemoArticle
from newsbot.demo.server import Page
from newsbot.sites.config import SiteConfig, parse_config

ALMATY = ZoneInfo("Asia/Almaty")
PER_PAGE = 8
NEWS_SITEMAP_SIZE = 10
FEED_SIZE = 15
ARTICLE_URL = r"/news/[a-z]+/\d+-[\w-]+\.html$"

RU_MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
KK_MONTHS = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

FOOTERS = {
    # The seed article's own footer, as it was published.
    "kakon": """
      <p>Главный редактор: Мадина Жатканбаева</p>
      <p>+7 777 471 71 40</p>
      <p>777kakon@mail.ru</p>
      <p>© Свидетельство о постановке на учет периодического печатного издания, информационного агентства и сетевого издания №KZ15VPY00079493 выдано 19.10.2023</p>""",
    # Tizgin.kz wording.
    "zhanalyq": """
      <p>Бас редактор: Айгүл Сейітқызы</p>
      <p>Меншік иесі: «Жаңалық Медиа» ЖШС</p>
      <p>Редакцияның мекенжайы: Астана қ., Мәңгілік Ел даңғылы, 55. Тел.: 8 (7172) 55-12-34</p>
      <p>Электрондық пошта: info [at] zhanalyq.example</p>
      <p>2022 жылы ҚР Ақпарат және қоғамдық даму министрлігі, ақпарат комитетіне KZ41VPY00051234 нөмірімен тіркеліп, «Жаңалық» желілік басылым куәлігін алған.</p>
      <p>Сайттағы материалдарды пайдаланғанда міндетті түрде сілтеме жасалуы тиіс.</p>""",
    # ФБРК wording, in an English edition.
    "times": """
      <p>Editor-in-chief: Timur Zhaksylykov | Owner: Demo Times LLP</p>
      <p>Phone: +7 (727) 312-45-67 · <a href="mailto:editor@times.example">editor@times.example</a></p>
      <p>Сетевое издание. Свидетельство СМИ № KZ62VPY00076001 от 21.08.2023.</p>
      <p>© 2026 Demo Times. All rights reserved.</p>""",
    # Iskar Media wording; this edition is served in windows-1251.
    "delovoy": """
      <p>Собственник газеты: ТОО «Деловой Медиа» Свидетельство о постановке на учет СМИ №14277-Г от 20.05.2013 выдано Министерством культуры и информации РК</p>
      <p>Главный редактор: Ольга Пак</p>
      <p>Адрес редакции: 050000, г. Алматы, пр. Абая, 10, тел. +7 (727) 250-11-22, e-mail: info(собака)delovoy.example</p>
      <p>При цитировании ссылка на «Деловой вестник» обязательна.</p>""",
    # The press service prints no imprint in its footer: it is on the /about/ page.
    "press": """
      <p>© 2026 Пресс-служба Demo Holding. <a href="/about/">Выходные данные</a></p>""",
}

EDITION_NAMES = {
    "kakon": "Kakon.kz",
    "zhanalyq": "Жаңалық",
    "times": "Demo Times",
    "delovoy": "Деловой вестник",
    "press": "Demo Press",
}

IMPRINT_PAGE = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Выходные данные — Demo Press</title></head>
<body>
<div class="page"><h1>Выходные данные</h1>
<p>Информационное агентство «Demo Press». Свидетельство о регистрации СМИ №15700-ИА выдано Комитетом связи, информатизации и информации Министерства по инвестициям и развитию Республики Казахстан 04.11.2015 г.</p>
<p>Свидетельство о постановке на учёт № KZ90VPY00156999 от 17.08.2026, выдано Комитетом информации Министерства культуры и информации РК.</p>
<p>Собственник: ТОО «Demo Holding»</p>
<p>Главный редактор: Нурлан Абдиров</p>
<p>Адрес: 010000, г. Астана, ул. Кунаева, 12</p>
<p>Телефон: 8 (7172) 74-36-12, e-mail: press@demo-holding.example</p>
</div>
<footer class="footer"><p>© 2026 Пресс-служба Demo Holding.</p></footer>
</body></html>
"""


def _moment(article: DemoArticle) -> datetime:
    return datetime.strptime(article.published, "%Y-%m-%d %H:%M").replace(tzinfo=ALMATY)


def article_path(article: DemoArticle) -> str:
    return f"/news/{article.edition}/{article.number}-{article.slug}.html"


def _visible_date(article: DemoArticle) -> str:
    moment = _moment(article)
    if article.edition == "delovoy":
        return moment.strftime("%d.%m.%Y %H:%M")
    if article.edition == "press":
        return moment.strftime("%d.%m.%Y")
    if article.language == "kk":
        return f"{moment.year} жылғы {moment.day} {KK_MONTHS[moment.month - 1]}, {moment:%H:%M}"
    if article.language == "en":
        return f"{moment.day} {EN_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
    return f"{moment.day} {RU_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def _paragraphs(article: DemoArticle) -> str:
    return "\n".join(f"      <p>{html.escape(p, quote=False)}</p>" for p in article.paragraphs)


def _tag_links(article: DemoArticle) -> str:
    return " ".join(
        f'<a href="/tag/{html.escape(tag)}/">{html.escape(tag)}</a>' for tag in article.tags
    )


def _head(article: DemoArticle, extra: str = "", charset: str = "utf-8") -> str:
    title = html.escape(article.title)
    author = (
        f'\n  <meta name="author" content="{html.escape(article.author)}">'
        if article.author
        else ""
    )
    tags = "".join(
        f'\n  <meta property="article:tag" content="{html.escape(t)}">' for t in article.tags
    )
    return f"""<head>
  <meta charset="{charset}">
  <title>{title} | {EDITION_NAMES[article.edition]}</title>
  <meta property="og:site_name" content="{EDITION_NAMES[article.edition]}">
  <meta property="og:type" content="article">
  <meta property="article:section" content="{html.escape(article.section)}">{author}{tags}{extra}
</head>"""


def _layout_kakon(article: DemoArticle) -> str:
    return f"""<!DOCTYPE html>
<html lang="ru">
{_head(article)}
<body>
  <header class="site-header"><a class="logo" href="/">Kakon.kz</a>
    <nav class="menu"><a href="/news/">Новости</a> <a href="/tag/инвестиции/">Инвестиции</a> <a href="/about/">О нас</a></nav>
  </header>
  <main>
    <article class="article">
      <div class="article__rubric">{html.escape(article.section)}</div>
      <h1 class="article__title">{html.escape(article.title)}</h1>
      <div class="article__meta"><span class="article__date">{_visible_date(article)}</span></div>
      <div class="article__body">
{_paragraphs(article)}
      </div>
      <div class="share">Поделиться: <a href="#">Facebook</a> <a href="#">Telegram</a> <a href="#">WhatsApp</a></div>
      <div class="tags">Теги: {_tag_links(article)}</div>
    </article>
    <aside class="related"><h3>Читайте также</h3><ul><li><a href="/news/">Все новости</a></li></ul></aside>
  </main>
  <footer class="site-footer"><div class="footer__imprint">{FOOTERS["kakon"]}
  </div></footer>
</body>
</html>
"""


def _layout_zhanalyq(article: DemoArticle) -> str:
    return f"""<!DOCTYPE html>
<html lang="kk">
{_head(article)}
<body>
<div class="top-menu"><a href="/">Басты бет</a> <a href="/news/">Жаңалықтар</a> <a href="/about/">Біз туралы</a></div>
<div class="content">
  <div class="news-head">
    <h1>{html.escape(article.title)}</h1>
    <div class="news-date">{_visible_date(article)}</div>
  </div>
  <div class="news-text">
{_paragraphs(article)}
  </div>
  <div class="share">Бөлісу: <a href="#">Facebook</a> <a href="#">Telegram</a></div>
  <div class="also"><p>Оқи отырыңыз: <a href="/news/">Барлық жаңалықтар</a></p></div>
</div>
<div class="footer" id="footer">{FOOTERS["zhanalyq"]}
</div>
</body>
</html>
"""


def _layout_times(article: DemoArticle) -> str:
    moment = _moment(article)
    jsonld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": moment.isoformat(),
            "author": [{"@type": "Person", "name": article.author}] if article.author else [],
            "articleSection": article.section,
            "keywords": list(article.tags),
            "publisher": {
                "@type": "NewsMediaOrganization",
                "name": "Demo Times",
                "contactPoint": {
                    "@type": "ContactPoint",
                    "telephone": "+7 (727) 312-45-67",
                    "email": "editor@times.example",
                },
            },
        },
        ensure_ascii=False,
    )
    extra = f"""
  <meta property="article:published_time" content="{moment.isoformat()}">
  <script type="application/ld+json">{jsonld}</script>"""
    return f"""<!DOCTYPE html>
<html lang="en">
{_head(article, extra)}
<body>
<nav class="navbar"><a href="/">Demo Times</a> <a href="/news/">Latest</a> <a href="/about/">About</a></nav>
<main class="container">
  <article>
    <header><h1 class="headline">{html.escape(article.title)}</h1>
      <p class="byline">{html.escape(article.author or "Staff")} · <time datetime="{moment.isoformat()}">{_visible_date(article)}</time></p>
    </header>
    <section class="story">
{_paragraphs(article)}
    </section>
    <p class="newsletter">Subscribe to our newsletter for the latest news from Kazakhstan.</p>
  </article>
  <section class="comments"><h2>Comments</h2><p>Be the first to comment.</p></section>
</main>
<footer class="footer">{FOOTERS["times"]}
</footer>
</body>
</html>
"""


def _layout_delovoy(article: DemoArticle) -> str:
    return f"""<!DOCTYPE html>
<html lang="ru">
{_head(article, charset="windows-1251")}
<body>
<table width="100%" class="main">
<tr><td class="menu" colspan="2"><a href="/">Главная</a> | <a href="/news/">Новости</a> | <a href="/about/">Редакция</a></td></tr>
<tr>
<td class="left" width="200"><a href="/tag/банки/">Банки</a><br><a href="/tag/ипотека/">Ипотека</a></td>
<td class="center">
  <h1 class="title">{html.escape(article.title)}</h1>
  <table><tr><td class="date">{_visible_date(article)}</td><td class="rubric">{html.escape(article.section)}</td></tr></table>
  <div class="fulltext">
{_paragraphs(article)}
  </div>
</td></tr>
<tr><td colspan="2" class="copyright">{FOOTERS["delovoy"]}
</td></tr>
</table>
</body>
</html>
"""


def _layout_press(article: DemoArticle) -> str:
    moment = _moment(article)
    labels = {
        "ru": ("Новости", "Другие новости"),
        "kk": ("Жаңалықтар", "Басқа жаңалықтар"),
        "en": ("News", "Other news"),
    }[article.language]
    return f"""<!DOCTYPE html>
<html lang="{article.language}">
{_head(article)}
<body class="page-news">
<div class="header"><ul class="header__menu"><li><a href="/news/">{labels[0]}</a></li><li><a href="/about/">Demo Press</a></li></ul></div>
<div class="news-detail">
  <h1 class="news-detail__title">{html.escape(article.title)}</h1>
  <div class="news-detail__date"><time datetime="{moment.isoformat()}">{_visible_date(article)}</time></div>
  <div class="news-detail__text">
{_paragraphs(article)}
  </div>
</div>
<div class="news-other"><h3>{labels[1]}</h3><a href="/news/">{labels[0]}</a></div>
<footer class="footer">{FOOTERS["press"]}
</footer>
</body>
</html>
"""


LAYOUTS = {
    "kakon": _layout_kakon,
    "zhanalyq": _layout_zhanalyq,
    "times": _layout_times,
    "delovoy": _layout_delovoy,
    "press": _layout_press,
}


def article_page(article: DemoArticle) -> Page:
    text = LAYOUTS[article.edition](article)
    if article.edition == "delovoy":
        return Page(text.encode("cp1251"), content_type="text/html; charset=windows-1251")
    return Page(text.encode("utf-8"))


def _newest_first() -> list[DemoArticle]:
    return sorted(ARTICLES, key=_moment, reverse=True)


def _listing(page_number: int, pages: int, items: list[DemoArticle]) -> Page:
    rows = "\n".join(
        f'<li><a href="{article_path(a)}">{html.escape(a.title)}</a> <span>{_visible_date(a)}</span> {_tag_links(a)}</li>'
        for a in items
    )
    nav = []
    if page_number > 1:
        previous = "/news/" if page_number == 2 else f"/news/?page={page_number - 1}"
        nav.append(f'<a href="{previous}">← Предыдущая</a>')
    if page_number < pages:
        nav.append(f'<a class="next" href="/news/?page={page_number + 1}">Следующая →</a>')
    body = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Новости — страница {page_number} | Demo Holding</title></head>
<body>
<nav><a href="/">Главная</a> <a href="/about/">Выходные данные</a> <a href="/admin/stats.html">Статистика</a></nav>
<h1>Новости</h1>
<ul class="news-list">
{rows}
</ul>
<div class="pagination">{" ".join(nav)}</div>
</body></html>
"""
    return Page(body.encode("utf-8"))


def _tag_page(tag: str) -> Page:
    items = [a for a in ARTICLES if tag in a.tags]
    rows = "".join(
        f'<li><a href="{article_path(a)}">{html.escape(a.title)}</a></li>' for a in items
    )
    body = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(tag)}</title></head><body><h1>{html.escape(tag)}</h1><ul>{rows}</ul></body></html>'
    return Page(body.encode("utf-8"))


def _sitemaps(base: str) -> dict[str, Page]:
    newest = _newest_first()
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/sitemaps/news.xml</loc><lastmod>{_moment(newest[0]).isoformat()}</lastmod></sitemap>
  <sitemap><loc>{base}/sitemaps/archive.xml</loc><lastmod>{_moment(newest[0]).isoformat()}</lastmod></sitemap>
</sitemapindex>
"""
    news_entries = "\n".join(
        f"""  <url><loc>{base}{article_path(a)}</loc>
    <news:news><news:publication><news:name>{html.escape(EDITION_NAMES[a.edition])}</news:name><news:language>{a.language}</news:language></news:publication>
      <news:publication_date>{_moment(a).isoformat()}</news:publication_date><news:title>{html.escape(a.title)}</news:title></news:news></url>"""
        for a in newest[:NEWS_SITEMAP_SIZE]
    )
    news = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{news_entries}
</urlset>
"""
    archive_entries = "\n".join(
        f"  <url><loc>{base}{article_path(a)}</loc><lastmod>{_moment(a).date().isoformat()}</lastmod></url>"
        for a in newest
    )
    archive = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{archive_entries}
</urlset>
"""
    xml = "application/xml; charset=utf-8"
    return {
        "/sitemap.xml": Page(index.encode(), xml),
        "/sitemaps/news.xml": Page(news.encode(), xml),
        "/sitemaps/archive.xml": Page(archive.encode(), xml),
    }


def _feed(base: str) -> Page:
    items = "\n".join(
        f"""  <item><title>{html.escape(a.title)}</title><link>{base}{article_path(a)}</link>
    <pubDate>{format_datetime(_moment(a))}</pubDate><category>{html.escape(a.section)}</category></item>"""
        for a in _newest_first()[:FEED_SIZE]
    )
    rss = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Demo Holding</title><link>{base}/</link><description>Новости Demo Holding</description>
{items}
</channel></rss>
"""
    return Page(rss.encode(), "application/rss+xml; charset=utf-8")


def demo_pages(port: int) -> dict[str, Page]:
    """Every page of the demo site, for a server on 127.0.0.1:port."""
    base = f"http://127.0.0.1:{port}"
    newest = _newest_first()
    page_count = (len(newest) + PER_PAGE - 1) // PER_PAGE
    pages: dict[str, Page] = {
        "/robots.txt": Page(
            f"User-agent: *\nDisallow: /admin/\nSitemap: {base}/sitemap.xml\n".encode(),
            "text/plain",
        ),
        "/": Page(
            b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Demo Holding</title></head>'
            b'<body><a href="/news/">News</a></body></html>'
        ),
        "/about/": Page(IMPRINT_PAGE.encode("utf-8")),
        "/admin/stats.html": Page(b"<html><body>internal</body></html>"),
        "/rss.xml": _feed(base),
        **_sitemaps(base),
    }
    for number in range(1, page_count + 1):
        path = "/news/" if number == 1 else f"/news/?page={number}"
        pages[path] = _listing(
            number, page_count, newest[(number - 1) * PER_PAGE : number * PER_PAGE]
        )
    for tag in {t for a in ARTICLES for t in a.tags}:
        pages[f"/tag/{tag}/"] = _tag_page(tag)
    for article in ARTICLES:
        pages[article_path(article)] = article_page(article)
    return pages


def demo_config(port: int) -> SiteConfig:
    """The demo site's config, as a user would write it for a site on 127.0.0.1."""
    base = f"http://127.0.0.1:{port}"
    return parse_config(
        {
            "slug": "demo",
            "name": "Demo Holding",
            "domains": ["127.0.0.1"],
            "language": "ru",
            "timezone": "Asia/Almaty",
            "start_urls": [f"{base}/news/"],
            "sitemaps": [f"{base}/sitemap.xml"],
            "feeds": [f"{base}/rss.xml"],
            "imprint_urls": [f"{base}/about/"],
            "article_url": ARTICLE_URL,
            "verified": True,
        },
        "newsbot/demo/site.py",
    )
