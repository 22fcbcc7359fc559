PY := .venv/bin/python
NEWSBOT := .venv/bin/newsbot
STAMP := .venv/.installed-stamp
DB ?= data/news.db

.PHONY: install test lint demo demo-distributed crawl export bench bench-extract bench-crawl bench-pipeline bench-reprints bench-render bench-peers bench-completeness bench-distributed bench-memory cron clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The tests in parallel, one process per core up to 4 (pytest-xdist). Most of the suite
# waits on local sites and subprocesses: on 2 idle cores this halves its time (14 to
# 7.5-9 minutes). Work stealing, not a file per process: the longest file (the frontier
# workers', about 3 minutes) left one process idle at the end.
TEST_PROCESSES ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

test: $(STAMP)
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist worksteal -rs

lint: $(STAMP)
	.venv/bin/ruff check newsbot pipelines tests bench
	.venv/bin/ruff format --check newsbot pipelines tests bench
	.venv/bin/mypy newsbot pipelines
	.venv/bin/lint-imports

# The offline demo site on 127.0.0.1: data/demo.db and data/demo.csv.
demo: $(STAMP)
	$(NEWSBOT) demo

# The demo site as a distributed crawl on this machine: a throwaway redis-server (needs
# Debian's redis-server), two workers and the writer; data/demo-distributed.db.
demo-distributed: $(STAMP)
	$(PY) -m newsbot.demo.distributed

# Every enabled bundled site (needs internet).
crawl: $(STAMP)
	$(NEWSBOT) crawl --db $(DB)

export: $(STAMP)
	$(NEWSBOT) export --db $(DB) --excel -o data/news.csv

bench-extract: $(STAMP)
	$(PY) bench/extract_bench.py

bench-crawl: $(STAMP)
	$(PY) bench/crawl_bench.py

# Crawl efficiency against bare Scrapy and the chain, incremental, memory, export, store.
bench-pipeline: $(STAMP)
	$(PY) bench/pipeline_bench.py

# Reprints: MinHash libraries, a rebuild over 100,000 articles, the incremental check,
# precision and recall on bench/reprints_pairs.json.
bench-reprints: $(STAMP)
	$(PY) bench/reprints_bench.py


# Pages/s and peak memory with and without the browser on one local site (needs chromium).
bench-render: $(STAMP)
	$(PY) bench/render_bench.py

# newsbot against the afternoon alternative (bench/afternoon_peer.py), end to end on a
# 1,000-page mirror of real pages: articles/s, CPU per article, peak memory, completeness.
bench-peers: $(STAMP)
	$(PY) bench/peers_bench.py

# The benchmark's pages the chain refuses or stores without a title, body or date, beside
# the peer's reading of each (about 30 s).
bench-completeness: $(STAMP)
	$(PY) bench/completeness.py

# 1 vs 2 vs 3 crawl workers on 6 local sites answering in 200 ms (pages/s, CPU per
# article), and the writer's drain rate on real records (needs Debian's redis-server).
bench-distributed: $(STAMP)
	$(PY) bench/distributed_bench.py

# Each process of a crawl's tree (the crawl, worker, fork server, resource tracker): its
# peak RSS, PSS and USS on the 1,000-page mirror (README, "Where the memory goes").
bench-memory: $(STAMP)
	$(PY) bench/memory_breakdown.py

bench: bench-extract bench-pipeline bench-reprints

# Installs the crontab line for this checkout: an hourly crawl of every enabled site into
# $(DB), then data/news.csv for Excel (`newsbot cron show` prints it; `remove` takes it out).
cron: $(STAMP)
	$(NEWSBOT) cron install --db $(CURDIR)/$(DB) --export $(CURDIR)/data/news.csv --excel

clean:
	rm -rf .venv build *.egg-info
