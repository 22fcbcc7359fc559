"""The publisher's imprint: name, editor-in-chief, owner, phones, e-mails, address.

Read from the footer (or an "О нас" / "Выходные данные" page) and from JSON-LD
publisher data, which sites keep more accurate than their footers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import phonenumbers

from pipelines.stages.clean import clean_line, normalize_characters

EDITOR_ROLE = (
    r"(?:И\.\s?о\.\s+главного\s+редактора|Главный\s+редактор|Гл\.\s*ред(?:актор)?\.?|"
    r"Шеф-редактор|Руководитель\s*\(Глав\.\s*ред\.\)|Бас\s+редактордың\s+м\.а\.|"
    r"Бас\s+редактор(?:ы)?|Editor-in-[Cc]hief|Editor\s+in\s+[Cc]hief)"
)
OWNER_ROLE = (
    r"(?:Учредитель\s+и\s+издатель|Учредитель\s*\(соучредители\)|Учредитель|"
    r"Собственник(?:\s+газеты)?|Владелец|Меншік\s+иесі|Құрылтайшы(?:сы)?|"
    r"Owner|Founder)"
)
_ANY_ROLE = re.compile(
    rf"(?<!\w)(?:{EDITOR_ROLE}|{OWNER_ROLE}|Издатель|Publisher|Выпускающий\s+редактор|Директор)"
    r"(?!\w)",
    re.IGNORECASE,
)
# "Иванов И.И." keeps its last dot; a sentence's full stop does not stay on a name.
_INITIAL_AT_END = re.compile(r"(?:^|[\s.])[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]\.$")
_EDITOR = re.compile(rf"(?<!\w){EDITOR_ROLE}\s*(?:[:—–-]\s*)?", re.IGNORECASE)
_OWNER = re.compile(rf"(?<!\w){OWNER_ROLE}\s*(?:[:—–-]\s*)?", re.IGNORECASE)
# Where a name written after a role ends.
_NAME_END = re.compile(
    r"[\n|;•/©]|\s[-–—]\s|@|(?:\+\s?7|\b8)[\s(-]*\d{3}|"
    r",?\s*(?:тел|телефон|phone|e-?mail|почта|адрес|мекенжай|электрондық|сайт)\b|"
    r"(?<=[a-zа-яёәғқңөұүһі»\"]{2})\.\s",
    re.IGNORECASE,
)
_MAX_NAME_CHARS = 90

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_AT = r"\s*(?:\[at\]|\(at\)|\{at\}|\[собака\]|\(собака\)|\s(?:at|собака)\s)\s*"
_DOT = r"\s*(?:\.|\[dot\]|\(dot\)|\(точка\)|\[точка\]|\s(?:dot|точка)\s)\s*"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?P<user>[\w.%+-]+){_AT}(?P<host>[\w-]+(?:{_DOT}[\w-]+)+)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"(?:Адрес\s+редакции|Юридический\s+адрес|Почтовый\s+адрес|Адрес|"
    r"Редакцияның\s+мекенжайы|Мекенжайы|Мекенжай|Address)\s*:\s*(?P<address>[^\n|;•]{5,200})",
    re.IGNORECASE,
)
_ADDRESS_END = re.compile(r",?\s*(?:тел|телефон|phone|e-?mail|почта)\b.*$", re.IGNORECASE)
# "Copyright (с) ООО …": the sign may follow the word, and may be a Cyrillic "с".
_COPYRIGHT = re.compile(
    r"(?:©|\([cс]\)|Copyright)(?:\s*(?:©|\([cс]\)))?\s*(?P<line>[^\n]{2,160})", re.IGNORECASE
)
_YEARS = re.compile(r"\b(?:19|20)\d{2}(?:\s*[-–—]\s*(?:19|20)\d{2})?\b,?")
_NOT_A_HOLDER = re.compile(
    r"^(?:свидетельств|все права|барлық құқық|all rights|при цитировании|перепечатк)",
    re.IGNORECASE,
)


@dataclass
class Publisher:
    name: str | None = None
    editor_in_chief: str | None = None
    owner: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    address: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def is_empty(self) -> bool:
        return not any(
            (self.name, self.editor_in_chief, self.owner, self.phones, self.emails, self.address)
        )


def _name_after(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        rest = text[match.end() : match.end() + 200]
        end = _NAME_END.search(rest)
        candidate = rest[: end.start()] if end else rest
        next_role = _ANY_ROLE.search(candidate)
        if next_role:
            candidate = candidate[: next_role.start()]
        name = candidate.strip(" ,:;—–-\t")
        if name.endswith(".") and not _INITIAL_AT_END.search(name):
            name = name.rstrip(".").rstrip()
        if name and len(name) <= _MAX_NAME_CHARS and re.search(r"\w", name):
            return clean_line(name)
    return None


def find_phones(text: str, hrefs: Iterable[str] = ()) -> list[str]:
    """Phones in E.164, Kazakhstan assumed for numbers written without +7."""
    found: list[str] = []
    sources = [text] + [href.removeprefix("tel:") for href in hrefs if href.startswith("tel:")]
    for source in sources:
        for match in phonenumbers.PhoneNumberMatcher(source, "KZ"):
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in found:
                found.append(e164)
    return found


def decode_cfemail(encoded: str) -> str | None:
    """Cloudflare's e-mail protection: hex bytes XORed with the first byte."""
    try:
        data = bytes.fromhex(encoded)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    decoded = bytes(byte ^ data[0] for byte in data[1:]).decode("latin-1")
    return decoded if _EMAIL.fullmatch(decoded) else None


# Cyrillic letters drawn like Latin ones. An e-mail typed with one ("777kаkon@mail.ru",
# Cyrillic а) is somebody's real mailbox once mapped back; cut at the odd letter it is
# another person's ("kon@mail.ru").
_LATIN_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХУІЈЅаеорсхуіјѕһкԁԛԝӏ",
    "ABEKMHOPCTXYIJSaeopcxyijshkdqwl",
)
# What an address may look like before it is judged: letters of any script, so that an
# address with a Cyrillic letter inside is seen whole, never from the letter on.
_EMAIL_LIKE = re.compile(r"[\w.%+-]+@[\w.-]+\.\w{2,}")


def _latin_email(candidate: str) -> tuple[str | None, str | None]:
    """The address written in `candidate` and a warning, or (None, warning) when it is
    not one: Cyrillic look-alikes inside a Latin address are mapped to Latin letters;
    other Cyrillic letters make the whole candidate doubtful, so none of it is taken."""
    address = candidate.strip(" .")
    if address.isascii():
        address = address.lower()
        return (address, None) if _EMAIL.fullmatch(address) else (None, None)
    if not _LATIN_LETTER.search(address):
        return None, None  # a Cyrillic address (info@сайт.рф): not a Latin one misspelt
    mapped = address.translate(_LATIN_LOOKALIKES).lower()
    if mapped.isascii() and _EMAIL.fullmatch(mapped):
        return mapped, f"e-mail {address} has Cyrillic look-alike letters: read as {mapped}"
    return None, f"e-mail {address} mixes alphabets: not taken"


def read_emails(text: str, hrefs: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """E-mails from mailto links, plain text and `[at]` / `(собака)` / `точка` spellings,
    and warnings about the ones written with Cyrillic letters."""
    found: list[str] = []
    warnings: list[str] = []

    def add(candidate: str) -> None:
        address, warning = _latin_email(candidate)
        if warning and warning not in warnings:
            warnings.append(warning)
        if address and address not in found:
            found.append(address)

    for href in hrefs:
        if href.lower().startswith("mailto:"):
            add(href[7:].split("?")[0])
        elif "/cdn-cgi/l/email-protection#" in href:
            decoded = decode_cfemail(href.rsplit("#", 1)[1])
            if decoded:
                add(decoded)
    for match in _EMAIL_LIKE.finditer(text):
        add(match.group(0))
    for match in _OBFUSCATED_EMAIL.finditer(text):
        host = re.sub(_DOT, ".", match["host"], flags=re.IGNORECASE)
        add(f"{match['user']}@{host}")
    return found, warnings


def find_emails(text: str, hrefs: Iterable[str] = ()) -> list[str]:
    """E-mails from mailto links, plain text and `[at]` / `(собака)` / `точка` spellings."""
    return read_emails(text, hrefs)[0]


def _address(text: str) -> str | None:
    match = _ADDRESS.search(text)
    if match is None:
        return None
    return clean_line(_ADDRESS_END.sub("", match["address"]).strip(" ,.;"))


def _copyright_holder(text: str) -> str | None:
    for match in _COPYRIGHT.finditer(text):
        line = _YEARS.sub("", match["line"]).strip(" ,.–—-")
        line = re.split(r"\.\s|\s[|•]\s", line)[0].strip(" ,.–—-")
        if line and not _NOT_A_HOLDER.match(line) and len(line) <= 80:
            return clean_line(line)
    return None


def _jsonld_text(value: Any) -> str | None:
    if isinstance(value, str):
        return clean_line(value)
    if isinstance(value, list) and value:
        return _jsonld_text(value[0])
    if isinstance(value, Mapping):
        return _jsonld_text(value.get("name"))
    return None


def _jsonld_contacts(publisher: Mapping[str, Any]) -> tuple[list[str], list[str], str | None]:
    """Phones, e-mails and address from a JSON-LD Organization and its contactPoint."""
    points = publisher.get("contactPoint") or []
    points = [points] if isinstance(points, Mapping) else list(points)
    phones_text, emails = [], []
    for node in [publisher, *points]:
        if not isinstance(node, Mapping):
            continue
        if isinstance(node.get("telephone"), str):
            phones_text.append(node["telephone"])
        if isinstance(node.get("email"), str):
            emails.append("mailto:" + node["email"].removeprefix("mailto:"))
    address = publisher.get("address")
    address_text = None
    if isinstance(address, Mapping):
        parts = [address.get(key) for key in ("postalCode", "addressLocality", "streetAddress")]
        address_text = clean_line(", ".join(p for p in parts if isinstance(p, str) and p))
    elif isinstance(address, str):
        address_text = clean_line(address)
    return find_phones("\n".join(phones_text)), find_emails("", emails), address_text


def read_imprint(
    footer_text: str | None,
    *,
    hrefs: Iterable[str] = (),
    jsonld_publisher: Mapping[str, Any] | None = None,
    site_name: str | None = None,
) -> tuple[Publisher, list[str]]:
    """The imprint from footer text, the footer's links and JSON-LD publisher data, and
    warnings about what was read doubtfully (an e-mail with a Cyrillic letter inside)."""
    text = normalize_characters(footer_text or "")
    hrefs = list(hrefs)
    emails, warnings = read_emails(text, hrefs)
    publisher = Publisher(
        editor_in_chief=_name_after(_EDITOR, text),
        owner=_name_after(_OWNER, text),
        phones=find_phones(text, hrefs),
        emails=emails,
        address=_address(text),
    )
    jsonld_name = None
    if jsonld_publisher:
        jsonld_name = _jsonld_text(jsonld_publisher.get("name"))
        phones, emails, address = _jsonld_contacts(jsonld_publisher)
        publisher.phones = phones + [p for p in publisher.phones if p not in phones]
        publisher.emails = emails + [e for e in publisher.emails if e not in emails]
        publisher.address = address or publisher.address
    publisher.name = jsonld_name or clean_line(site_name) or _copyright_holder(text)
    return publisher, warnings


def extract_imprint(
    footer_text: str | None,
    *,
    hrefs: Iterable[str] = (),
    jsonld_publisher: Mapping[str, Any] | None = None,
    site_name: str | None = None,
) -> Publisher:
    """The imprint from footer text, the footer's links and JSON-LD publisher data."""
    return read_imprint(
        footer_text, hrefs=hrefs, jsonld_publisher=jsonld_publisher, site_name=site_name
    )[0]
