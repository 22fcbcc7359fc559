PY := .venv/bin/python
STAMP := .venv/.installed-stamp

.PHONY: install test lint demo crawl bench bench-extract clean

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

bench-extract: $(STAMP)
	$(PY) bench/extract_bench.py

bench: bench-extract

clean:
	rm -rf .venv build *.egg-info
