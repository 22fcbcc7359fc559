"""Where a watch's matches go: e-mail over SMTP (settings from the environment, never a
password on a command line) and webhooks (a JSON POST: newsbot's own shape, or one that
Slack's incoming webhooks and Telegram's sendMessage accept).

Every failure is a `DeliveryError` with one line to say; the caller records nothing for
that channel, so the same matches are tried again on the next run.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from newsbot.crawling.settings import USER_AGENT

# Seconds a mail server or a webhook may take to answer.
TIMEOUT = 30
# Characters of one text message: Telegram refuses one over 4,096; Slack cuts at 40,000.
TEXT_LIMITS = {"telegram": 4000, "slack": 35000}


class DeliveryError(Exception):
    """A delivery that did not go through; the message is one line."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    tls: str  # none | starttls | ssl
    sender: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The NEWSBOT_SMTP_* settings, or None when no host is set."""
        env = os.environ if env is None else env
        host = env.get("NEWSBOT_SMTP_HOST")
        if not host:
            return None
        tls = env.get("NEWSBOT_SMTP_TLS", "starttls").lower()
        if tls not in ("none", "starttls", "ssl"):
            raise DeliveryError(f"NEWSBOT_SMTP_TLS={tls!r}: none, starttls or ssl")
        default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
        try:
            port = int(env.get("NEWSBOT_SMTP_PORT") or default_port)
        except ValueError as error:
            raise DeliveryError("NEWSBOT_SMTP_PORT is not a port number") from error
        user = env.get("NEWSBOT_SMTP_USER") or None
        if user and tls == "none" and host not in ("127.0.0.1", "localhost", "::1"):
            raise DeliveryError(
                "NEWSBOT_SMTP_USER with NEWSBOT_SMTP_TLS=none would send the password in "
                "clear: use starttls or ssl"
            )
        return cls(
            host=host,
            port=port,
            user=user,
            password=env.get("NEWSBOT_SMTP_PASSWORD") or None,
            tls=tls,
            sender=env.get("NEWSBOT_MAIL_FROM") or f"newsbot@{host}",
        )


def send_email(smtp: SmtpSettings, to: str, subject: str, text: str, html: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, to, subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    try:
        if smtp.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
        with client:
            if smtp.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.user:
                client.login(smtp.user, smtp.password or "")  # never in clear: see from_env
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"mail to {to} via {smtp.host}:{smtp.port}: {error}") from error


def webhook_messages(
    fmt: str, watch: str, query: str, matches: Sequence[Mapping[str, Any]]
) -> list[tuple[dict[str, Any], list[Mapping[str, Any]]]]:
    """The POST bodies for `matches`, each with the matches it carries: one for newsbot's
    JSON; for Slack and Telegram as many text messages as their length limits need."""
    if fmt == "json":
        body = {
            "watch": watch,
            "query": query,
            "count": len(matches),
            "matches": [dict(m) for m in matches],
        }
        return [(body, list(matches))]
    limit = TEXT_LIMITS[fmt]
    head = f"newsbot: {len(matches)} new for «{watch}» ({query})"
    messages: list[tuple[dict[str, Any], list[Mapping[str, Any]]]] = []
    lines: list[str] = [head]
    carried: list[Mapping[str, Any]] = []
    for match in matches:
        title = match.get("title") or match["url"]
        line = f"• {title} ({match['site']}) {match['url']}"[: limit - len(head) - 2]
        if carried and sum(len(x) + 1 for x in lines) + len(line) > limit:
            messages.append((_text_body(fmt, "\n".join(lines)), carried))
            lines, carried = [head], []
        lines.append(line)
        carried.append(match)
    messages.append((_text_body(fmt, "\n".join(lines)), carried))
    return messages


def _text_body(fmt: str, text: str) -> dict[str, Any]:
    if fmt == "telegram":
        # sendMessage: chat_id travels in the webhook URL's query string.
        return {"text": text, "disable_web_page_preview": True}
    # Slack reads <...> as mentions and links: a scraped title must not ping a channel.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"text": escaped}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect of a POST would become a GET without the matches, to anywhere: a
    webhook that redirects has not received them."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def post_webhook(url: str, body: Mapping[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as answer:
            answer.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"webhook {shown(url)}: HTTP {error.code}") from error
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"webhook {shown(url)}: {reason}") from error


def shown(url: str) -> str:
    """A webhook URL as it may be printed: its host and port only (a bot's token can be
    in the path, the query or the user part)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"
