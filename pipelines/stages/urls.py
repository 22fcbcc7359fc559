"""One article, one URL: the form a link is requested in and the key it is known by.

A site prints one article as `/1-a.html`, `/1-a.html/`, `/1-%61.html`,
`/1-a.html?utm_source=tg` or `/1-a.html?PHPSESSID=...`. w3lib canonicalises escapes,
query order and case of the host; on top of that, tracking and session parameters go
(the lists below, after courlan's and AdGuard's tracking-parameter lists, without their
broad patterns such as "anything containing `ref` or `source`", which would take real
content parameters), and the key drops a trailing slash.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that only say where a click came from or who made it; never which page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "ysclid", "twclid", "ttclid", "igshid", "igsh", "_openstat", "_ga", "_gl",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "vero_conv", "__twitter_impression", "fb_action_ids",
        "fb_action_types", "fb_ref", "fb_source", "action_object_map",
        "action_type_map", "action_ref_map", "rb_clickid", "s_cid", "wickedid", "xtor",
        "spm", "scm", "_branch_match_id",
    }
)  # fmt: skip
# Prefixes of whole families: utm_source, utm_medium, ..., pk_campaign, mtm_source.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hmsr_", "ga_")
# Session ids that servers append to links: a new value on every visit.
SESSION_PARAMS = frozenset(
    {
        "sid", "phpsessid", "jsessionid", "sessionid", "session_id", "sessid",
        "aspsessionid", "cfid", "cftoken", "zenid", "oscsid",
    }
)  # fmt: skip
REMOVED_PARAMS_NOTE = (
    "utm_*, pk_*, mtm_*, fbclid, gclid, yclid, ysclid, _openstat, sid, PHPSESSID, "
    "jsessionid and the like"
)
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_removed_param(name: str) -> bool:
    """Whether a query parameter is a tracking or session one, dropped from every URL."""
    lowered = name.lower()
    return (
        lowered in TRACKING_PARAMS
        or lowered in SESSION_PARAMS
        or lowered.startswith(TRACKING_PREFIXES)
    )


def without_host_dot(url: str) -> str:
    """The URL with its host's trailing dot gone: `https://tengrinews.kz./news/` is
    `https://tengrinews.kz/news/` (a fully qualified name, the same host), and links in
    that form still circulate. Anything else is left as it is."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return url
    if not host or not host.endswith(".") or not host.strip("."):
        return url
    # The netloc keeps its user, port and case; only the dot at the host's end goes.
    userinfo, at, hostport = parts.netloc.rpartition("@")
    name, colon, port = hostport.rpartition(":") if hostport.count(":") == 1 else (hostport, "", "")
    netloc = f"{userinfo}{at}{name.rstrip('.')}{colon}{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def clean_url(url: str, keep_params: Collection[str] | None = None) -> str:
    """The URL to request: canonical (escapes, query order, host case, no fragment, no
    default port), without tracking and session parameters. With `keep_params`, the
    site's parameters that select content, every other query parameter goes too."""
    try:
        canonical = canonicalize_url(without_host_dot(url), keep_fragments=False)
        parts = urlsplit(canonical)
        port = parts.port
    except ValueError:
        return url  # not a URL w3lib can read (a bad port, a bad IPv6 literal): as it is
    kept = {name.lower() for name in keep_params} if keep_params is not None else None
    query = []
    for pair in parts.query.split("&") if parts.query else ():
        # The pair stays as w3lib encoded it; only its name is read.
        name = unquote_plus(pair.split("=", 1)[0])
        if not is_removed_param(name) and (kept is None or name.lower() in kept):
            query.append(pair)
    netloc = parts.netloc
    if port is not None and _DEFAULT_PORTS.get(parts.scheme) == port:
        netloc = netloc.rsplit(":", 1)[0]
    path = _PATH_SESSION.sub("", parts.path)
    return urlunsplit((parts.scheme, netloc, path, "&".join(query), ""))


def normalize_url(url: str, keep_params: Collection[str] | None = None) -> str:
    """The key an article is known by: `clean_url` without a trailing slash, so that
    `/1-a.html` and `/1-a.html/` are one page (the site root keeps its slash)."""
    cleaned = clean_url(url, keep_params)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return cleaned
    if len(parts.path) > 1 and parts.path.endswith("/"):
        cleaned = urlunsplit(parts._replace(path=parts.path.rstrip("/") or "/"))
    return cleaned
