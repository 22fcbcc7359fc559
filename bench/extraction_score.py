"""The body-extraction metric of the public article-extraction benchmark (see its
README): 4-token shingles per page, each page weighing the same, F1 of the corpus
precision and recall. bench/extract_bench.py prints it; tests/test_benchmark_floor.py
keeps newsbot's chain above a floor on it.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

# The public benchmark (181 real pages, MIT licence), vendored beside this file.
DEFAULT_DIR = Path(__file__).resolve().parent / "article-extraction"
_TOKEN = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def page_scores(predicted: str, truth: str) -> tuple[float, float, float]:
    """(tp, fp, fn) for one page, normalised so that every page weighs the same."""
    pred, true = shingles(predicted), shingles(truth)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def corpus_f1(scores: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    precisions = [tp / (tp + fp) if fp else 1.0 for tp, fp, fn in scores if tp + fp > 0]
    recalls = [tp / (tp + fn) if fn else 1.0 for tp, fp, fn in scores if tp + fn > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def load_pages(folder: Path) -> list[tuple[str, bytes, str, str]]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, entry in sorted(truth.items()):
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append((page_id, html, entry["url"], entry["articleBody"]))
    return pages
