"""The chain's one entry point (issue 18): `extract_page` gives one `PageResult`, in the
crawl's process or in a worker, and the modules of pipelines/ import each other in no
circle, type-only imports included."""

from __future__ import annotations

import ast
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipelines.page import Page
from pipelines.stages.chain import extract_page
from pipelines.compression import unpack
from pipelines.workers import extract_in_worker, worker_context
from tests.conftest import FETCHED_AT, FIXTURES, ROOT

NUR = FIXTURES / "nur_ru" / "article.html"
NUR_URL = (
    "https://www.nur.kz/politics/kazakhstan/2086925-antikor-vernul-gosudarstvu-bolee-17-mlrd-tenge/"
)


def nur_page() -> Page:
    return Page(url=NUR_URL, body=NUR.read_bytes(), fetched_at=FETCHED_AT)


def test_the_store_extras_are_made_only_for_the_store():
    plain = extract_page(nur_page())
    assert (plain.packed_body, plain.stems, plain.fingerprint) == (None, None, "unknown")
    stored = extract_page(nur_page(), for_store=True)
    assert stored.article == plain.article
    assert stored.not_article is None
    assert unpack(stored.packed_body) == NUR.read_bytes()
    assert stored.stems is not None and "антикор" in stored.stems["title"].lower()
    assert stored.fingerprint is not None and stored.fingerprint != "unknown"


def test_a_worker_gives_the_same_result_as_the_crawls_process():
    page = nur_page()
    with ProcessPoolExecutor(1, mp_context=worker_context()) as pool:
        remote = pool.submit(extract_in_worker, page, None).result(timeout=120)
    local = extract_page(page, for_store=True)
    assert remote.article == local.article
    assert (remote.not_article, remote.packed_body, remote.stems) == (
        local.not_article,
        local.packed_body,
        local.stems,
    )


def _imports(path: Path, modules: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            found |= {name for name in names if name in modules}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
    return found


def test_pipelines_modules_import_each_other_in_no_circle():
    files = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in (ROOT / "pipelines").rglob("*.py")
    }
    graph = {name: _imports(path, set(files)) - {name} for name, path in files.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            raise AssertionError(" -> ".join([*trail[trail.index(name) :], name]))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
