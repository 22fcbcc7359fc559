"""Datasette plugins `newsbot browse` loads with --plugins-dir (one module per file)."""
