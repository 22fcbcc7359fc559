PY := .venv/bin/python
NEWSBOT := .venv/bin/newsbot
STAMP := .venv/.installed-stamp
DB ?= data/news.db

.PHONY: install test lint demo crawl export bench bench-extract bench-crawl cron clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	.venv/bin/ruff check newsbot pipelines tests bench
	.venv/bin/ruff format --check newsbot pipelines tests bench
	.venv/bin/mypy newsbot pipelines

# The offline demo site on 127.0.0.1: data/demo.db and data/demo.csv.
demo: $(STAMP)
	$(NEWSBOT) demo

# Every enabled bundled site (needs internet).
crawl: $(STAMP)
	$(NEWSBOT) crawl --db $(DB)

export: $(STAMP)
	$(NEWSBOT) export --db $(DB) --excel -o data/news.csv

bench-extract: $(STAMP)
	$(PY) bench/extract_bench.py

bench-crawl: $(STAMP)
	$(PY) bench/crawl_bench.py

bench: bench-extract bench-crawl

# Prints a crontab line for this checkout (hourly crawl; cron mails what goes to stderr).
cron:
	@echo "17 * * * * cd $(CURDIR) && $(CURDIR)/$(NEWSBOT) crawl --db $(CURDIR)/$(DB) > /dev/null"

clean:
	rm -rf .venv build *.egg-info
