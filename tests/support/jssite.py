"""A local news site whose lists only a browser can read, for the rendering tests and
benchmark. It never listens on another address than 127.0.0.1.

- `/app/list`: a listing drawn by a script from a JSON endpoint;
- `/app/scroll`: an endless rubric that loads the next batch when scrolled to the end;
- `/app/more`: a "Показать больше" button that adds a batch per click, then goes;
- `/app/gov`: like gov.kz, a page whose script takes `hash` and `token` from
  `/session` and then calls `/api/news`, which answers 403 to any request without a
  live pair (a pair serves TOKEN_USES calls, then expires);
- `/nx/`: like kapital.kz, a Next.js page whose `__NEXT_DATA__` names the build id of
  its JSON data routes `/_next/data/<build>/ru/<rubric>.json?page=N`;
- `/app/hang`: a page whose load event never comes (a script that never arrives).

Every article page is plain HTML. The gov-like article pages carry no date: theirs
comes from the API. Articles of the entity "akimat" are not served at all: the API
carries their whole text.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from newsbot.demo.server import ServedInThread

BATCH = 4
LIST_ARTICLES = range(1, 7)
SCROLL_BATCHES = 3  # articles 101..112
MORE_BATCHES = 3  # articles 201..212
GOV_ENTITIES = {"minfin": "Министерство финансов", "akimat": "Акимат города Тестовска"}
GOV_ITEMS = {"minfin": list(range(301, 309)), "akimat": list(range(401, 405))}
NEXT_RUBRICS = {"economic": list(range(501, 509)), "finance": list(range(601, 605))}
BUILD_ID = "b7Xk2-test"
TOKEN_USES = 4
HANG_SECONDS = 20.0


def article_number_html(number: int, dated: bool = True) -> bytes:
    date = f'<time datetime="2024-11-{1 + number % 27:02d}T10:00:00+05:00">' if dated else ""
    text = (
        f"<p>Сообщение номер {number}: ведомство подвело итоги работы за месяц и рассказало "
        "о планах на следующий квартал, включая ремонт дорог и школ.</p>"
        "<p>В пресс-службе отметили, что все работы завершены в срок и без замечаний.</p>"
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Новость {number}</title>'
        f"</head><body><article><h1>Новость {number}</h1>{date}{text}</article></body></html>"
    ).encode()


def _links(numbers: list[int] | range) -> list[dict[str, str]]:
    return [{"url": f"/news/{n}-item.html", "title": f"Новость {n}"} for n in numbers]


def _batch(first: int, page: int, batches: int) -> list[dict[str, str]]:
    if not 1 <= page <= batches:
        return []
    start = first + (page - 1) * BATCH
    return _links(range(start, start + BATCH))


_SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<style>.item {{ height: 400px; }}</style></head><body><h1>{title}</h1>
<div id="list"></div>{extra}<script>
const list = document.getElementById('list');
function draw(items) {{
  for (const item of items) {{
    const div = document.createElement('div');
    div.className = 'item';
    div.innerHTML = '<a href="' + item.url + '">' + item.title + '</a>';
    list.appendChild(div);
  }}
}}
{script}
</script></body></html>"""

_PAGES = {
    "/app/list": _SHELL.format(
        title="Лента",
        extra="",
        script="""
fetch('/data/list.json').then(r => r.json()).then(draw);
""",
    ),
    "/app/scroll": _SHELL.format(
        title="Рубрика",
        extra="",
        script="""
let page = 0, busy = false, done = false;
async function more() {
  if (busy || done) return;
  busy = true;
  page += 1;
  const items = await (await fetch('/data/scroll.json?page=' + page)).json();
  if (!items.length) done = true;
  draw(items);
  busy = false;
}
window.addEventListener('scroll', () => {
  if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 50) more();
});
more();
""",
    ),
    "/app/more": _SHELL.format(
        title="Главные новости",
        extra='<button class="more" type="button">Показать больше</button>',
        script="""
let page = 1;
const button = document.querySelector('.more');
fetch('/data/more.json?page=1').then(r => r.json()).then(draw);
button.addEventListener('click', async () => {
  page += 1;
  const items = await (await fetch('/data/more.json?page=' + page)).json();
  draw(items);
  if (page >= MORE_BATCHES) button.remove();
});
""".replace("MORE_BATCHES", str(MORE_BATCHES)),
    ),
    "/app/gov": _SHELL.format(
        title="Новости министерства",
        extra="",
        script="""
(async () => {
  const session = await (await fetch('/session')).json();
  const answer = await fetch('/api/news?entity=minfin&page=1',
                             {headers: {hash: session.hash, token: session.token}});
  const data = await answer.json();
  draw(data.content.map(i => ({url: '/gov/minfin/details/' + i.id, title: i.title})));
})();
""",
    ),
    "/app/hang": _SHELL.format(
        title="Никогда", extra='<script src="/never.js"></script>', script=""
    ),
}


@dataclass
class JsSite(ServedInThread):
    """The site in a thread on 127.0.0.1; `requests` lists every path asked for."""

    token_uses: int = TOKEN_USES
    hang_seconds: float = HANG_SECONDS
    requests: list[str] = field(default_factory=list)
    # Paths a browser asked for (it sends Sec-Fetch-Mode; Scrapy's own HTTP client does not).
    browser_requests: list[str] = field(default_factory=list)
    sessions: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        site = self
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                if self.headers.get("Sec-Fetch-Mode"):
                    site.browser_requests.append(self.path)
                status, content_type, body = site.answer(self.path, dict(self.headers.items()))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.serve(Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, raw_path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        parts = urlsplit(raw_path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        page = int(query.get("page", "1")) if query.get("page", "1").isdigit() else 0
        html, js = "text/html; charset=utf-8", "application/json"
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\n"
        if path in _PAGES:
            return 200, html, _PAGES[path].encode()
        if path == "/never.js":
            time.sleep(self.hang_seconds)
            return 200, "text/javascript", b""
        if path == "/data/list.json":
            return 200, js, json.dumps(_links(LIST_ARTICLES)).encode()
        if path == "/data/scroll.json":
            return 200, js, json.dumps(_batch(101, page, SCROLL_BATCHES)).encode()
        if path == "/data/more.json":
            return 200, js, json.dumps(_batch(201, page, MORE_BATCHES)).encode()
        if path == "/session":
            pair = (secrets.token_hex(8), secrets.token_hex(16))
            with self.lock:
                self.sessions[pair] = self.token_uses
            return 200, js, json.dumps({"hash": pair[0], "token": pair[1]}).encode()
        if path == "/api/news":
            return self._api(query.get("entity", ""), page, headers)
        if path.startswith("/gov/") and "/details/" in path:
            entity, number = path.split("/")[2], path.rsplit("/", 1)[-1]
            if entity == "minfin" and number.isdigit() and int(number) in GOV_ITEMS["minfin"]:
                return 200, html, article_number_html(int(number), dated=False)
        if path == "/nx/":
            data = json.dumps({"buildId": BUILD_ID, "page": "/", "props": {}})
            return (
                200,
                html,
                (
                    f'<html><body><div id="__next"></div><script id="__NEXT_DATA__" '
                    f'type="application/json">{data}</script></body></html>'
                ).encode(),
            )
        if path.startswith(f"/_next/data/{BUILD_ID}/ru/") and path.endswith(".json"):
            rubric = path.rsplit("/", 1)[-1].removesuffix(".json")
            return 200, js, json.dumps(self._next_page(rubric, page)).encode()
        if path.startswith("/news/") and path.endswith("-item.html"):
            return 200, html, article_number_html(int(path.split("/")[2].split("-")[0]))
        for rubric, numbers in NEXT_RUBRICS.items():
            number = path.split("/")[2] if path.startswith(f"/{rubric}/") else ""
            if number.isdigit() and int(number) in numbers:
                return 200, html, article_number_html(int(number))
        return 404, html, b"<html><body><h1>404</h1></body></html>"

    def _api(self, entity: str, page: int, headers: dict[str, str]) -> tuple[int, str, bytes]:
        lowered = {name.lower(): value for name, value in headers.items()}
        pair = (lowered.get("hash", ""), lowered.get("token", ""))
        with self.lock:
            left = self.sessions.get(pair, 0)
            if left <= 0:
                return 403, "application/json", b'{"error": "no session"}'
            self.sessions[pair] = left - 1
        numbers = GOV_ITEMS.get(entity, [])[(page - 1) * BATCH : page * BATCH] if page > 0 else []
        content = []
        for number in numbers:
            item: dict[str, object] = {
                "id": number,
                "title": f"Новость {number}",
                "createdDate": f"2024-10-{1 + number % 27:02d}T09:30:00",
            }
            if entity == "akimat":
                item["body"] = (
                    f"Акимат сообщает о событии {number}: в городе открыли новую школу на "
                    "шестьсот мест с бассейном и спортивным залом.\n"
                    "На церемонии присутствовали жители, учителя и представители акимата."
                )
            content.append(item)
        return 200, "application/json", json.dumps({"content": content}).encode()

    def _next_page(self, rubric: str, page: int) -> dict[str, object]:
        numbers = NEXT_RUBRICS.get(rubric, [])[(page - 1) * BATCH : page * BATCH]
        rows = [
            {
                "id": n,
                "slug": f"novost-{n}",
                "title": f"Новость {n}",
                "published_at": f"2024-09-{1 + n % 27:02d}T04:00:00.000Z",
                "category": {"slug": rubric},
            }
            for n in numbers
        ]
        query = {"queryKey": ["articles"], "state": {"data": {"rows": rows}}}
        return {"pageProps": {"dehydratedState": {"queries": [query]}}}


def site_file_text(base_url: str, slug: str = "jssite", render: bool = True) -> str:
    """A config for the JavaScript listings and the gov-like API; without `render` it
    reads the listings as plain HTML (and has no [api], which needs the browser)."""
    lines = [
        f'slug = "{slug}"',
        'name = "JS Site"',
        'domains = ["127.0.0.1"]',
        'language = "ru"',
        f'start_urls = ["{base_url}/app/list", "{base_url}/app/scroll", "{base_url}/app/more"'
        + (f', "{base_url}/app/hang"]' if render else "]"),
        "article_url = '/news/\\d+-item\\.html$|/gov/[a-z]+/details/\\d+$'",
        "download_timeout = 4",
    ]
    if render:
        lines += ['render = "listing"', "scroll = 10", 'load_more = "button.more"', "", "[api]",
                  f'url = "{base_url}/api/news?entity={{entity}}&page={{page}}"',
                  'items = "content"',
                  f'item_url = "{base_url}/gov/{{entity}}/details/{{id}}"',
                  'item_title = "title"', 'item_date = "createdDate|publishedDate"',
                  'item_body = "body"',
                  f'session_page = "{base_url}/app/gov"',
                  'session_headers = ["hash", "token"]', "", "[api.headers]",
                  'accept = "application/json"',
                  f'referer = "{base_url}/app/gov?entity={{entity}}"', "", "[api.entities]",
                  *(f'{key} = "{name}"' for key, name in GOV_ENTITIES.items())]  # fmt: skip
    return "\n".join(lines) + "\n"


def next_site_file_text(base_url: str, slug: str = "nextsite", render: str | None = None) -> str:
    """A config for the Next.js-like data routes: an API listing with no browser (unless
    `render` sends its pages through one)."""
    return "\n".join([
        *([f'render = "{render}"'] if render else []),
        f'slug = "{slug}"', 'name = "Next Site"', 'domains = ["127.0.0.1"]', 'language = "ru"',
        "article_url = '/(?:economic|finance)/\\d+/[a-z0-9-]+\\.html$'",
        "download_timeout = 4", "", "[api]",
        f'url = "{base_url}/_next/data/{{build_id}}/ru/{{entity}}.json?page={{page}}&category={{entity}}"',
        f'build_id_page = "{base_url}/nx/"',
        'items = "pageProps.dehydratedState.queries.*.state.data.rows|pageProps.dehydratedState.queries.*.state.data.articles"',
        f'item_url = "{base_url}/{{category.slug}}/{{id}}/{{slug}}.html"',
        'item_title = "title"', 'item_date = "published_at"', "", "[api.entities]",
        'economic = "Экономика"', 'finance = "Финансы"',
    ]) + "\n"  # fmt: skip


def expected_articles() -> dict[str, set[str]]:
    """The article paths each part of the site lists."""
    return {
        "list": {f"/news/{n}-item.html" for n in LIST_ARTICLES},
        "scroll": {f"/news/{n}-item.html" for n in range(101, 101 + SCROLL_BATCHES * BATCH)},
        "more": {f"/news/{n}-item.html" for n in range(201, 201 + MORE_BATCHES * BATCH)},
        "gov": {f"/gov/{e}/details/{n}" for e, numbers in GOV_ITEMS.items() for n in numbers},
        "next": {
            f"/{r}/{n}/novost-{n}.html" for r, numbers in NEXT_RUBRICS.items() for n in numbers
        },
    }


# --- hostile rendered pages (tests/test_hostile_render.py) ---------------------------


class Listener(ServedInThread):
    """The "internal service" on 127.0.0.1: notes every connection made to it, and the
    first line sent on it (a preconnect sends none), whatever the protocol; and every
    UDP datagram sent to the same port number (WebRTC's STUN)."""

    def __init__(self) -> None:
        import socket
        import socketserver

        self.connections: list[str] = []
        listener = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(2)
                try:
                    first = self.request.recv(200).split(b"\r\n", 1)[0]
                except OSError:
                    first = b""
                listener.connections.append(first.decode("latin-1") or "<connection>")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)  # type: ignore[assignment]
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        threading.Thread(target=self._note_datagrams, daemon=True).start()

    def _note_datagrams(self) -> None:
        while True:
            try:
                self.udp.recvfrom(2048)
            except OSError:  # closed with the listener
                return
            self.connections.append("<udp datagram>")

    def stop(self) -> None:
        super().stop()
        self.udp.close()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])


def _drawing(numbers: range, then: str, extra: str = "") -> bytes:
    """A listing whose script draws links to `numbers`, then runs `then`."""
    links = json.dumps(_links(numbers))
    return _SHELL.format(title="Лента", extra=extra, script=f"draw({links});\n{then}").encode()


def escaping_pages(elsewhere: str) -> dict[str, bytes]:
    """Listings whose scripts reach for `elsewhere` (http://127.0.0.1:<port>) every way a
    page can; the listing's own links are /news/1..4; /app/leave navigates there."""
    host_port = elsewhere.removeprefix("http://")
    escape = f"""
fetch('{elsewhere}/fetch').catch(() => 0);
fetch('{elsewhere}/no-cors', {{mode: 'no-cors'}}).catch(() => 0);
const xhr = new XMLHttpRequest(); xhr.open('GET', '{elsewhere}/xhr'); xhr.send();
navigator.sendBeacon('{elsewhere}/beacon', 'data');
try {{ new WebSocket('ws://{host_port}/socket'); }} catch (e) {{}}
try {{ new EventSource('{elsewhere}/events'); }} catch (e) {{}}
try {{
  const peer = new RTCPeerConnection({{iceServers: [{{urls: 'stun:{host_port}'}}]}});
  peer.createDataChannel('x');
  peer.createOffer().then(offer => peer.setLocalDescription(offer));
}} catch (e) {{}}
window.open('{elsewhere}/popup');
window.open('/news/1-item.html', '_blank', 'noopener');
new Worker(URL.createObjectURL(new Blob(["fetch('{elsewhere}/worker').catch(() => 0)"])));
fetch('/redirect-out').catch(() => 0);
for (const [tag, attr, path] of [['script', 'src', '/script.js'], ['iframe', 'src', '/frame'],
                                 ['link', 'href', '/style.css'], ['img', 'src', '/image.png']]) {{
  const node = document.createElement(tag);
  if (tag === 'link') node.rel = 'stylesheet';
  node[attr] = '{elsewhere}' + path;
  document.body.appendChild(node);
}}
"""
    head = (
        f'<link rel="preconnect" href="{elsewhere}"><link rel="prefetch" href="{elsewhere}/prefetch">'
        f'<link rel="dns-prefetch" href="{elsewhere}">'
    )
    return {
        "/app/escape": _drawing(range(1, 5), escape, extra=head),
        "/app/leave": _drawing(range(5, 9), f"location.href = '{elsewhere}/moved';"),
    }


# Each stalls the page its own way after drawing its first links; every batch of links
# comes STALL_STEP seconds after the scroll or click that asked for it.
STALL_STEP = 0.3
STALLING_FIRST = {"/app/endless": 1000, "/app/more-forever": 2000, "/app/spin": 3000,
                  "/app/grow": 4000, "/app/balloon": 5000}  # fmt: skip


def stalling_pages() -> dict[str, bytes]:
    """Listings that never end: an endless scroll, a "show more" that never goes, a
    script that never yields the page's thread, a document that grows without end, and
    an endless scroll whose script takes memory without end (8 MB each 50 ms)."""
    step = int(STALL_STEP * 1000)

    def endless_from(number: int) -> str:
        return f"""
let next = {number + 4};
window.addEventListener('scroll', () => setTimeout(() => {{
  draw([0, 1, 2, 3].map(i => ({{url: '/news/' + (next + i) + '-item.html', title: 'Новость'}})));
  next += 4;
}}, {step}));
"""

    endless = endless_from(STALLING_FIRST["/app/endless"])
    more = f"""
let next = {STALLING_FIRST["/app/more-forever"] + 4};
document.querySelector('.more').addEventListener('click', () => setTimeout(() => {{
  draw([0, 1, 2, 3].map(i => ({{url: '/news/' + (next + i) + '-item.html', title: 'Новость'}})));
  next += 4;
}}, {step}));
"""
    spin = "setTimeout(() => { while (true) {} }, 2000);"
    grow = """
const chunk = 'растёт '.repeat(15000);
setInterval(() => { const p = document.createElement('p'); p.textContent = chunk;
                    document.body.appendChild(p); }, 100);
"""
    balloon = (
        endless_from(STALLING_FIRST["/app/balloon"])
        + """
const held = [];
setInterval(() => held.push(new Float64Array(1024 * 1024).fill(Math.random())), 50);
"""
    )
    button = '<button class="more" type="button">Показать больше</button>'

    def first(path: str) -> range:
        return range(STALLING_FIRST[path], STALLING_FIRST[path] + 4)

    return {
        "/app/endless": _drawing(first("/app/endless"), endless),
        "/app/more-forever": _drawing(first("/app/more-forever"), more, extra=button),
        "/app/spin": _drawing(first("/app/spin"), spin),
        "/app/grow": _drawing(first("/app/grow"), grow),
        "/app/balloon": _drawing(first("/app/balloon"), balloon),
    }
