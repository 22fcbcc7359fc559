"""Watches end to end: a press office crawled, saved searches added, new releases
published and crawled, and `newsbot watch run` delivering exactly the new matches to a
real SMTP server (aiosmtpd) and a local HTTP receiver, nothing twice, a failed delivery
again on the next run."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from newsbot.demo.server import LocalSite, ServedInThread
from tests.crawlsite import query, run_crawl
from tests.reprintsites import (
    GOV_FOOTER,
    GOV_NAME,
    RELEASES,
    _listing,
    article_page,
    gov_pages,
    outlet_pages,
    write_configs,
)

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is a dev dependency")

# Releases published after the watches were saved: two on grain (the noun in other
# cases: «зерна», «зерном»), one on heating that no grain watch may take.
LATER = {
    "/press/120-zakup-zerna.html": (
        "Правительство рассмотрело ход закупа зерна в стабилизационные фонды",
        "20.11.2026 11:00",
        [
            "На заседании Правительства рассмотрен ход закупа зерна в региональные "
            "стабилизационные фонды. Министр сельского хозяйства доложил, что с начала "
            "уборочной кампании закуплено 410 тысяч тонн пшеницы третьего класса.",
            "Премьер-министр поручил акиматам обеспечить своевременную оплату "
            "сельхозтоваропроизводителям и не допускать роста цен на муку и хлеб.",
        ],
    ),
    "/press/121-hranenie.html": (
        "Элеваторы Северо-Казахстанской области заполнены зерном на 87 процентов",
        "21.11.2026 15:20",
        [
            "В Северо-Казахстанской области элеваторы заполнены зерном на 87 процентов. "
            "Для хранения урожая дополнительно задействованы склады хлебоприемных "
            "предприятий, сообщили в акимате области.",
            "Министерство транспорта выделило дополнительные вагоны-зерновозы для "
            "вывоза урожая на экспорт через порты Каспийского моря.",
        ],
    ),
    "/press/122-teplo.html": (
        "В Павлодаре завершен ремонт магистральных тепловых сетей",
        "21.11.2026 17:45",
        [
            "В Павлодаре завершен ремонт шести километров магистральных тепловых сетей. "
            "Работы выполнены до начала сильных морозов, сообщили в акимате города.",
            "Подача тепла в жилые дома идет в штатном режиме, аварийных отключений нет.",
        ],
    ),
}


class Receiver(ServedInThread):
    """A local webhook receiver: answers `answers` in turn (the last one stays), keeps the
    JSON of every POST it answered 200."""

    def __init__(self, *answers: int):
        self.answers = list(answers or (200,))
        self.bodies: list[Any] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = (
                    receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                )
                if status == 200:
                    receiver.bodies.append(json.loads(body))
                self.send_response(status)
                if status in (301, 302, 303, 307, 308):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:  # where a followed redirect would land
                receiver.bodies.append("GET " + self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.serve(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook/secret-token"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:  # Controller.start() connects to its port: name one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = aiosmtpd.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def newsbot(db: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def text_of(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def test_a_watch_delivers_exactly_the_new_matches_once(tmp_path: Path, mailbox):
    box, smtp_port = mailbox
    smtp = {"NEWSBOT_SMTP_HOST": "127.0.0.1", "NEWSBOT_SMTP_PORT": str(smtp_port),
            "NEWSBOT_SMTP_TLS": "none", "NEWSBOT_MAIL_FROM": "newsbot@press.example"}  # fmt: skip
    receiver = Receiver(500, 200).start()
    hook = receiver.url
    db = tmp_path / "news.db"
    digest = tmp_path / "digest.html"
    try:
        with LocalSite(gov_pages()) as gov, LocalSite(outlet_pages()) as outlet:
            configs = write_configs(tmp_path, gov, outlet)
            assert run_crawl(db, *configs).returncode == 0
            added = newsbot(
                db,
                "watch",
                "add",
                "grain",
                "зерно",
                "--site",
                "gov_ru",
                "--email",
                "analyst@press.example",
                "--webhook",
                hook,
            )
            assert added.returncode == 0, added.stderr
            # Nothing is new yet: the archive crawled before the watch is not delivered.
            quiet = newsbot(db, "watch", "run", "-o", str(digest), env=smtp)
            assert (quiet.returncode, quiet.stdout.strip()) == (0, "newsbot: watch grain: 0 new")
            assert box.messages == [] and receiver.bodies == []

            for path, (title, date, paragraphs) in LATER.items():
                gov.pages[path] = article_page(GOV_NAME, title, date, paragraphs, GOV_FOOTER)
            gov.pages["/press/"] = _listing([*LATER, *RELEASES])
            assert run_crawl(db, *configs).returncode == 0

        new_titles = {
            LATER[p][0] for p in ("/press/120-zakup-zerna.html", "/press/121-hranenie.html")
        }
        first = newsbot(db, "watch", "run", "-o", str(digest), env=smtp)
        # The webhook answered 500: exit 1 and one line for cron; the e-mail went out.
        assert first.returncode == 1
        assert "webhook failed" in first.stderr and "secret-token" not in first.stderr
        assert len(box.messages) == 1
        mail = box.messages[0]
        assert mail["To"] == "analyst@press.example" and "2 new" in mail["Subject"]
        assert {t for t in new_titles if t in text_of(mail)} == new_titles
        assert LATER["/press/122-teplo.html"][0] not in text_of(mail)
        assert all(title not in text_of(mail) for title, _, _ in RELEASES.values())
        html = digest.read_text(encoding="utf-8")
        assert all(t in html for t in new_titles) and "<script" not in html

        second = newsbot(db, "watch", "run", env=smtp)
        # The webhook gets what it missed; the e-mail is not sent again.
        assert second.returncode == 0, second.stderr
        assert len(box.messages) == 1
        assert [body["watch"] for body in receiver.bodies] == ["grain"]
        assert {m["title"] for m in receiver.bodies[0]["matches"]} == new_titles
        assert receiver.bodies[0]["count"] == 2

        third = newsbot(db, "watch", "run", "-o", str(digest), env=smtp)
        assert third.returncode == 0 and len(box.messages) == 1 and len(receiver.bodies) == 1
        assert "0 new" in third.stdout
        delivered = query(db, "SELECT channel, count(*) FROM watch_deliveries GROUP BY channel")
        assert sorted(delivered) == [("digest", 2), ("email", 2), ("webhook", 2)]
    finally:
        receiver.stop()


def test_a_watch_without_smtp_settings_says_so_and_keeps_the_matches(tmp_path: Path):
    db = tmp_path / "news.db"
    with LocalSite(gov_pages()) as gov, LocalSite(outlet_pages()) as outlet:
        configs = write_configs(tmp_path, gov, outlet)
        assert newsbot(db, "watch", "list").returncode == 2  # no database yet
        assert run_crawl(db, *configs).returncode == 0
        assert (
            newsbot(db, "watch", "add", "grain", "зерно", "--email", "a@press.example").returncode
            == 0
        )
        gov.pages["/press/120-zakup-zerna.html"] = article_page(
            GOV_NAME, *LATER["/press/120-zakup-zerna.html"], GOV_FOOTER
        )
        gov.pages["/press/"] = _listing(["/press/120-zakup-zerna.html", *RELEASES])
        assert run_crawl(db, *configs).returncode == 0
    env = {k: "" for k in os.environ if k.startswith("NEWSBOT_SMTP")}
    result = newsbot(db, "watch", "run", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "newsbot: watch grain: 1 new; email failed (no NEWSBOT_SMTP_HOST is set: e-mail "
        "cannot be sent)"
    )
    assert query(db, "SELECT count(*) FROM watch_deliveries") == [(0,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "x", '"зерно'), "a quotation mark is not closed"),
        (("add", "x", "зерно", "--email", "not-an-address"), "is not an e-mail address"),
        (("add", "x", "зерно", "--webhook", "ftp://host/"), "is not an http(s) URL"),
        (("remove", "nothing"), "no watch named 'nothing'"),
    ],
)
def test_bad_watches_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str):
    db = tmp_path / "news.db"
    from pipelines.store import Store

    Store.open(db).close()
    result = newsbot(db, "watch", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_a_second_watch_of_the_same_name_or_an_unknown_site_is_refused(tmp_path: Path):
    db = tmp_path / "news.db"
    from pipelines.store import Store

    Store.open(db).close()
    assert newsbot(db, "watch", "add", "grain", "зерно").returncode == 0
    again = newsbot(db, "watch", "add", "grain", "пшеница")
    assert again.returncode == 2 and "a watch named 'grain' exists" in again.stderr
    typo = newsbot(db, "watch", "add", "other", "зерно", "--site", "gov_rux")
    assert typo.returncode == 2 and "unknown site 'gov_rux'" in typo.stderr


MATCH = {"id": "1", "url": "https://press.example/a?x=1&y=2", "site": "gov_ru",
         "title": '<script>alert(1)</script> «Зерно» <!channel>', "lead": None,
         "published_at": "2026-11-20T11:00:00+05:00", "source_name": None}  # fmt: skip


def test_hostile_titles_stay_text_in_the_digest_and_in_slack():
    from newsbot.watch.delivery import webhook_messages
    from newsbot.watch.digest import render_html
    from pipelines.store import Watch

    html = render_html({Watch("grain", "зерно"): [MATCH]}, "2026-11-21T00:00:00Z")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://press.example/a?x=1&amp;y=2"' in html
    ((body, carried),) = webhook_messages("slack", "grain", "зерно", [MATCH])
    assert "<!channel>" not in body["text"] and "&lt;!channel&gt;" in body["text"]
    assert carried == [MATCH]


def test_telegram_gets_every_match_in_messages_it_accepts():
    from newsbot.watch.delivery import TEXT_LIMITS, webhook_messages

    matches = [
        dict(MATCH, id=str(n), title=f"Новость номер {n} " + "о зерне " * 20) for n in range(60)
    ]
    messages = webhook_messages("telegram", "grain", "зерно", matches)
    assert len(messages) > 1
    assert all(len(body["text"]) <= TEXT_LIMITS["telegram"] for body, _ in messages)
    assert [m["id"] for _, carried in messages for m in carried] == [str(n) for n in range(60)]


def test_a_webhook_that_redirects_has_not_received_the_matches():
    from newsbot.watch.delivery import DeliveryError, post_webhook, shown

    with Receiver(302) as receiver:
        with pytest.raises(DeliveryError, match="HTTP 302"):
            post_webhook(receiver.url, {"watch": "grain"})
        assert receiver.bodies == []  # the redirect was not followed, not even as a GET
    assert shown("https://user:pw@api.example.org/bot123:ABC/send?chat_id=5") == (
        "https://api.example.org/…"
    )


def test_a_password_is_never_sent_in_clear_to_another_machine():
    from newsbot.watch.delivery import DeliveryError, SmtpSettings

    env = {"NEWSBOT_SMTP_HOST": "mail.example.kz", "NEWSBOT_SMTP_TLS": "none",
           "NEWSBOT_SMTP_USER": "bot", "NEWSBOT_SMTP_PASSWORD": "secret"}  # fmt: skip
    with pytest.raises(DeliveryError, match="in clear"):
        SmtpSettings.from_env(env)
    assert SmtpSettings.from_env({**env, "NEWSBOT_SMTP_TLS": "starttls"}).port == 587
