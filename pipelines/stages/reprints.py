"""Who reprints whom: which stored articles largely repeat the body of an earlier one.

A body becomes word shingles (five words in a row, lower case, ё as е). Its MinHash
signature (rensa's R-MinHash, 128 slots: 14 to 100 times faster than datasketch's here, see
bench/reprints_bench.py) is cut into 64 bands of two slots; articles that share two bands
are candidates. A candidate is confirmed by containment: the share of the shorter body's
shingles found in the longer one. Jaccard alone misses the reprints outlets make (a lead
added, a paragraph dropped, a sentence reworded), containment does not.

What must not link, and the rule that keeps it apart:
- independent stories of the same event with the same figures: other words, so their
  containment stays far below MIN_CONTAINMENT;
- a daily template series (exchange rates, weather): the same words with other numbers,
  so the figures of the shorter text must be found in the longer one (NUMBERS_AGREE);
- short coincidences: bodies under MIN_WORDS words (a one-line notice, a rate) are not
  indexed at all. A pair whose shorter body is under LONG_WORDS words is a short pair (a
  regional outlet's three-paragraph cut of a release, or a short notice): two short texts
  of one subject share a phrase or two, so more must agree. Its figures (one is enough
  to compare) and its names (capitalised words inside sentences: people, organisations,
  places, NAMES_AGREE) must be the longer text's; and unless the copy credits the other
  text's outlet, the two appear within SHORT_WINDOW of each other. A short copy of a long
  original shares few of its MinHash slots (containment is high, Jaccard low), so one
  shared band makes a candidate when either text is short;
- a site's furniture (a cookie or rights notice, a subscribe call printed under every
  article): a paragraph found on FURNITURE_ARTICLES or more of one site's articles is
  left out of that site's shingles, so two stories sharing only it share nothing. The
  length floor is measured on what is left, so a lower floor (short reprints) cannot
  bring furniture back;
- many texts sharing a band (identical notices on many sites, a long template series): a
  band bucket of more than MAX_BUCKET articles carries no signal; its first MAX_BUCKET + 1
  texts meet each other through it, later ones meet no one, so one article never meets
  more than BANDS * MAX_BUCKET / MIN_SHARED_BANDS candidates however often a text repeats.

The original of a copy is the earliest publication among the texts it repeats
(published_at_utc, falling back to first_seen_at); a copy that credits one of them
(its attribution names that article's outlet) takes that one, whatever the clocks say.

Pure functions: the store (pipelines/store/reprints.py) keeps the signatures, the bands
and the links, and calls these.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import rensa

SHINGLE_WORDS = 5
NUM_PERM = 128
BAND_ROWS = 2
BANDS = NUM_PERM // BAND_ROWS
SEED = 1207
# Candidates share at least this many bands. One shared band of 64 (two slots each) is
# what unrelated texts with a common phrase or two also get; two keep the recall of one
# for true pairs (0.98 at Jaccard 0.3, 0.92 at 0.25) and cut the false candidates that
# each cost a containment check about 500-fold.
MIN_SHARED_BANDS = 2
# Fewer words than this is a one-line item (a rate, an announcement): never linked.
MIN_WORDS = 30
# A pair whose shorter text has fewer words than this is a short pair (see the module's
# docstring): its candidates need one shared band, its confirmation more evidence.
LONG_WORDS = 60
# A copy repeats at least this share of the shorter text's shingles.
MIN_CONTAINMENT = 0.5
# And at least this share of the shorter text's figures, when it has MIN_FIGURES or more:
# a template series repeats the words with other numbers.
NUMBERS_AGREE = 0.7
MIN_FIGURES = 2
# A short text's one figure is compared too: a daily rate or a date of a template notice.
SHORT_MIN_FIGURES = 1
# A short pair: at least this share of the shorter text's names are the longer one's,
# when it has MIN_NAMES or more (the copy's own additions are a credit line or a place).
NAMES_AGREE = 0.6
MIN_NAMES = 2
# An uncredited short copy appears within this many seconds of its original: a regional
# outlet reprints a release the same day or the next; a short text that repeats one from
# weeks before is a template or a coincidence.
SHORT_WINDOW = 3 * 24 * 3600

# A paragraph on this many of a site's own articles is its furniture. A corrected release
# posted again, or a follow-up that repeats a background paragraph, stays under it; a
# notice under every article passes it in its first week.
FURNITURE_ARTICLES = 5
# A band bucket holding more articles than this names no candidates. A release reprinted
# by every outlet newsbot reads (a few dozen sites) stays well under it; what passes it is
# a text repeated wholesale (a notice, a template series), which the rules would not link
# anyway, or whose earlier copies were linked while the bucket was small.
MAX_BUCKET = 100

_WORD = re.compile(r"\w+", re.UNICODE)
# Numbers, with the dates and times among them read whole ("14.11.2026", "10:00").
_FIGURE = re.compile(r"\d+(?:[.,:/-]\d+)*")
# Dates and times printed in a body (a dateline, "в 10:00") say when, not what: a reprint
# carries its own dateline, so they are no figures.
_DATE_OR_TIME = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}(?::\d{2})?"
)
_NAME_KEY = re.compile(r"[^\w]", re.UNICODE)
# A capitalised word (Cyrillic, Kazakh or Latin).
_CAPITALISED = re.compile(r"(?<!\w)[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]{2,}")
# A name is compared by its first letters, so its case forms in Russian and Kazakh are one
# name ("Бектенов", "Бектенова", "Бектеновтің").
NAME_PREFIX = 5
# Band keys: two 32-bit slots make one exact 64-bit key; the band's number is folded in
# so that equal slot values in different bands are different keys.
_BAND_SALTS = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
# An odd multiplier folds five word hashes into one shingle hash (wrapping at 64 bits).
_FOLD = np.uint64(0x100000001B3)


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What the index keeps of one body: its shingle hashes (sorted, unique), its
    signature and its figures."""

    shingles: np.ndarray  # uint32: the low half of each shingle hash, for containment
    signature: tuple[int, ...]
    figures: frozenset[str]
    words: int

    def shingle_bytes(self) -> bytes:
        return self.shingles.tobytes()

    def signature_bytes(self) -> bytes:
        return array("I", self.signature).tobytes()

    def figures_text(self) -> str:
        return " ".join(sorted(self.figures))

    def stored(self) -> dict[str, bytes | str | int]:
        """The fingerprint as `from_stored` reads it back (the store's columns, and a
        record sent between machines: pipelines/records.py)."""
        return {
            "shingles": self.shingle_bytes(),
            "signature": self.signature_bytes(),
            "figures": self.figures_text(),
            "words": self.words,
        }

    @classmethod
    def from_stored(
        cls, shingles: bytes, signature: bytes, figures: str | None, words: int
    ) -> Fingerprint:
        return cls(
            shingles=np.frombuffer(shingles, dtype=np.uint32),
            signature=tuple(array("I", signature)),
            figures=frozenset((figures or "").split()),
            words=words,
        )


def words_of(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower().replace("ё", "е"))


def paragraph_key(site: str, words: Sequence[str]) -> int:
    """One paragraph of one site as a signed 64-bit key (SQLite's INTEGER): its words as
    `words_of` reads them, so case, ё and punctuation do not make another paragraph."""
    digest = hashlib.blake2b(f"{site}\n{' '.join(words)}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def paragraph_keys(site: str, body: str | None) -> list[int]:
    """The keys of a body's paragraphs (lines of text), each once, in key order."""
    keys = {
        paragraph_key(site, words) for line in (body or "").split("\n") if (words := words_of(line))
    }
    return sorted(keys)


def without_furniture(site: str, body: str | None, furniture: Collection[int]) -> str | None:
    """The body less the paragraphs that are the site's furniture (their keys)."""
    if body is None or not furniture:
        return body
    return "\n".join(
        line for line in body.split("\n") if paragraph_key(site, words_of(line)) not in furniture
    )


def shingle_texts(words: Sequence[str]) -> list[str]:
    """The shingles as text (what the hashes of `shingle_hashes` stand for)."""
    last = len(words) - SHINGLE_WORDS + 1
    return [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(last, 0))]


def shingle_hashes(word_hashes: Sequence[int]) -> np.ndarray:
    """Each run of SHINGLE_WORDS word hashes folded into one 64-bit hash, sorted and
    unique: the same set as hashing `shingle_texts`, without making the strings."""
    words = np.asarray(word_hashes, dtype=np.uint64)
    count = len(words) - SHINGLE_WORDS + 1
    folded = np.zeros(max(count, 0), dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        folded = folded * _FOLD + words[offset : offset + count]
    return np.unique(folded)


def figures_of(text: str | None) -> frozenset[str]:
    """Numbers in a text, without the dates and times (a reprint has its own dateline)."""
    return frozenset(
        token for token in _FIGURE.findall(text or "") if not _DATE_OR_TIME.fullmatch(token)
    )


def names_of(text: str | None) -> frozenset[str]:
    """The names in a text: capitalised words of three letters or more that do not open
    a sentence (those are capitalised whatever they are), each as its first NAME_PREFIX
    letters in lower case."""
    text = text or ""
    found = set()
    for match in _CAPITALISED.finditer(text):
        start = match.start()
        # What precedes the word, quotes and dashes aside: nothing or a sentence's end.
        before = text[max(0, start - 8) : start].rstrip(' \t\u00a0«"“(–—-')
        if not before or before[-1] in "\n.!?…":
            continue
        found.add(match.group().casefold().replace("ё", "е")[:NAME_PREFIX])
    return frozenset(found)


def fingerprints(bodies: Iterable[str | None]) -> list[Fingerprint | None]:
    """Fingerprints of many bodies at once (rensa hashes the words and signs every
    body in one call each); None for a body under MIN_WORDS words."""
    bodies = list(bodies)
    word_lists = [words_of(body) for body in bodies]
    long_enough = [i for i, words in enumerate(word_lists) if len(words) >= MIN_WORDS]
    results: list[Fingerprint | None] = [None] * len(bodies)
    if not long_enough:
        return results
    word_hashes = rensa.RMinHash.hash_token_sets([word_lists[i] for i in long_enough])
    shingles = [shingle_hashes(hashes) for hashes in word_hashes]
    offsets = np.zeros(len(shingles) + 1, dtype=np.uint64)
    np.cumsum([len(s) for s in shingles], out=offsets[1:])
    signatures = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        np.concatenate(shingles), offsets, NUM_PERM, SEED
    ).to_rows()
    for i, hashes, signature in zip(long_enough, shingles, signatures, strict=True):
        results[i] = Fingerprint(
            # 32 bits are plenty to count the shingles two bodies share (a chance
            # collision among a few hundred is one in ten million) and halve the index.
            shingles=np.unique(hashes.astype(np.uint32)),
            signature=tuple(signature),
            figures=figures_of(bodies[i]),
            words=len(word_lists[i]),
        )
    return results


def fingerprint(body: str | None) -> Fingerprint | None:
    return fingerprints([body])[0]


def band_key_array(signatures: np.ndarray) -> np.ndarray:
    """The LSH band keys of signatures (rows of NUM_PERM slots), as signed 64-bit
    integers (SQLite's INTEGER): one row of BANDS keys per signature."""
    slots = np.asarray(signatures, dtype=np.uint64).reshape(-1, BANDS, BAND_ROWS)
    keys = ((slots[:, :, 0] << np.uint64(32)) | slots[:, :, 1]) ^ _BAND_SALTS
    return keys.view(np.int64)


def band_keys(signature: Sequence[int]) -> list[int]:
    return list(band_key_array(np.asarray([signature]))[0].tolist())


def candidate_pairs(keys: np.ndarray, short: np.ndarray | None = None) -> np.ndarray:
    """Pairs of rows of `keys` (band keys, one row per text) that share at least
    MIN_SHARED_BANDS bands, or one when either text is short (`short`, a flag per row), as
    an array of (lower row, higher row): the LSH index of a whole database at once, for a
    rebuild. As in a crawl's lookup (pipelines/store/reprints.py), the texts of a key
    after its first MAX_BUCKET + 1 (in row order) meet no one through it, which also
    bounds the pairs a key makes (MAX_BUCKET * (MAX_BUCKET + 1) / 2) and so the rebuild's
    memory."""
    count = len(keys)
    flat = keys.ravel()
    owners = np.repeat(np.arange(count, dtype=np.int64), keys.shape[1])
    order = np.argsort(flat, kind="stable")
    flat, owners = flat[order], owners[order]
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    lengths = np.diff(np.r_[starts, len(flat)])
    twos = starts[lengths == 2]
    firsts, seconds = [owners[twos]], [owners[twos + 1]]
    # A key shared by more than two texts (a much reprinted release): every pair of its
    # first MAX_BUCKET + 1.
    several = lengths > 2
    for start, length in zip(starts[several], lengths[several], strict=True):
        left, right = np.triu_indices(min(int(length), MAX_BUCKET + 1), 1)
        firsts.append(owners[start + left])
        seconds.append(owners[start + right])
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    low, high = np.minimum(first, second), np.maximum(first, second)
    codes, shared = np.unique(low * count + high, return_counts=True)
    enough = shared >= MIN_SHARED_BANDS
    if short is not None and short.any():
        lows, highs = codes // max(count, 1), codes % max(count, 1)
        enough |= short[lows] | short[highs]
    codes = codes[enough]
    return np.stack([codes // max(count, 1), codes % max(count, 1)], axis=1)


@dataclass(frozen=True)
class Overlap:
    similarity: float  # Jaccard of the shingle sets
    containment: float  # share of the shorter text's shingles found in the longer


def overlap(a: Fingerprint, b: Fingerprint) -> Overlap:
    shared = len(np.intersect1d(a.shingles, b.shingles, assume_unique=True))
    smaller = min(len(a.shingles), len(b.shingles)) or 1
    union = len(a.shingles) + len(b.shingles) - shared or 1
    return Overlap(similarity=shared / union, containment=shared / smaller)


def is_short_pair(a_words: int, b_words: int) -> bool:
    return min(a_words, b_words) < LONG_WORDS


def bands_needed(a_words: int, b_words: int) -> int:
    """The bands two texts share to be candidates: one for a short pair (a short copy of
    a long original has a low Jaccard for all its high containment)."""
    return 1 if is_short_pair(a_words, b_words) else MIN_SHARED_BANDS


def figures_agree(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether the shorter text's figures are (mostly) the longer one's: a template
    series (today's rate, tomorrow's weather) repeats the words with other numbers."""
    shorter, longer = (a, b) if a.words <= b.words else (b, a)
    least = SHORT_MIN_FIGURES if shorter.words < LONG_WORDS else MIN_FIGURES
    if len(shorter.figures) < least:
        return True
    found = len(shorter.figures & longer.figures)
    return found / len(shorter.figures) >= NUMBERS_AGREE


def name_keys(name: str | None) -> frozenset[str]:
    """Each word of a name as `names_of` keeps it."""
    return frozenset(word[:NAME_PREFIX] for word in words_of(name))


def names_agree(shorter: str | None, longer: str | None, credited: Collection[str] = ()) -> bool:
    """Whether the shorter text's names are (mostly) the longer one's: a template notice
    (a reception of citizens, a road closed) repeats the words with other people and
    places. The names of the sources the texts credit (`name_keys`) are left out: a
    copy's credit line names whom it took the text from, which the text itself need not."""
    names = names_of(shorter) - set(credited)
    if len(names) < MIN_NAMES:
        return True
    return len(names & names_of(longer)) / len(names) >= NAMES_AGREE


def confirmed(a: Fingerprint, b: Fingerprint) -> Overlap | None:
    """The overlap of a candidate pair whose texts are one, or None: the shorter's
    shingles and figures are the longer's. A short pair needs more (`reprint_overlap`)."""
    measured = overlap(a, b)
    if measured.containment < MIN_CONTAINMENT or not figures_agree(a, b):
        return None
    return measured


@dataclass(frozen=True)
class Publication:
    """An article as the choice of the original sees it."""

    id: str
    site: str
    url: str
    published_at_utc: str | None
    first_seen_at: str | None
    source_name: str | None  # whom its text credits
    outlet_names: tuple[str, ...]  # the names its outlet goes by (publisher, host, slug)

    @property
    def order(self) -> tuple[str, str, str]:
        """Earliest first: publication, then first sighting, then id (a total order, so
        of two texts exactly one can be the other's original)."""
        return (
            self.published_at_utc or self.first_seen_at or "",
            self.first_seen_at or "",
            self.id,
        )

    @property
    def moment(self) -> str | None:
        return self.published_at_utc or self.first_seen_at


def name_key(name: str) -> str:
    return _NAME_KEY.sub("", name.casefold().removeprefix("www."))


def credits(copy: Publication, original: Publication) -> bool:
    """Whether the copy's attribution names the original's outlet ("сообщает
    Primeminister.kz" and primeminister.kz's article)."""
    if not copy.source_name:
        return False
    source = name_key(copy.source_name)
    if not source:
        return False
    for name in original.outlet_names:
        key = name_key(name)
        if len(key) >= 4 and (key == source or key in source or source in key):
            return True
    return False


def precedes(original: Publication, copy: Publication) -> bool:
    """Whether `original` can be `copy`'s original: the copy credits it, or it came
    first and does not itself credit the copy."""
    credited, credited_back = credits(copy, original), credits(original, copy)
    if credited != credited_back:
        return credited
    return original.order < copy.order


def rank(copy: Publication, original: Publication) -> tuple[bool, tuple[str, str, str]]:
    """The better original of a copy sorts first: credited, then earliest."""
    return (not credits(copy, original), original.order)


def choose_original(copy: Publication, matches: Iterable[Publication]) -> Publication | None:
    """The original of `copy` among the texts it repeats, or None when it is first."""
    earlier = [m for m in matches if m.id != copy.id and precedes(m, copy)]
    return min(earlier, key=lambda m: rank(copy, m)) if earlier else None


def reprint_overlap(
    a: Fingerprint,
    a_article: Publication,
    b: Fingerprint,
    b_article: Publication,
    bodies: Callable[[], tuple[str | None, str | None]],
) -> Overlap | None:
    """The overlap of a candidate pair that is a reprint, or None. A short pair is one
    when either text credits the other's outlet; otherwise the two appear within
    SHORT_WINDOW of each other and their names agree. Names are read from the bodies
    (a's, b's: `bodies()`, called only then) rather than kept in the index: few pairs
    get this far, and reading names from every body would cost a rebuild a fifth of its
    time."""
    measured = confirmed(a, b)
    if measured is None or not is_short_pair(a.words, b.words):
        return measured
    if credits(a_article, b_article) or credits(b_article, a_article):
        return measured
    apart = delay_seconds(a_article, b_article)
    if apart is not None and abs(apart) > SHORT_WINDOW:
        return None
    a_body, b_body = bodies()
    shorter, longer = (a_body, b_body) if a.words <= b.words else (b_body, a_body)
    credited = name_keys(a_article.source_name) | name_keys(b_article.source_name)
    return measured if names_agree(shorter, longer, credited) else None


def delay_seconds(copy: Publication, original: Publication) -> int | None:
    if not copy.moment or not original.moment:
        return None
    parse = datetime.fromisoformat
    return int((parse(copy.moment) - parse(original.moment)).total_seconds())
