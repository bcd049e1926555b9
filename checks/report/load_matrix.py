"""The server matrix of a saved report (`matrix`, README "JSON report"), checked on load.

`report FILE --matrix` prints the matrix the file carries: every key a renderer
reads must have its type (a title is an object of texts, a cell's state one of the
five), or the file is refused naming the field, like any other bad field. Keys
that are missing are fine (the renderers say "not measured"); unknown keys are kept.
"""

from __future__ import annotations

from typing import Any

from checks.report.reader import Reader

MAX_ROWS = 5000  # servers: a domain list's, at most
MAX_COLUMNS = 300  # two DNS columns, TCP per port, TLS, HTTP, latency
CELL_STATES = ("ok", "info", "warn", "fail", "none")


def read_matrix(r: Reader, value: Any, path: str = "matrix") -> dict[str, Any]:
    texts = r.mapping(r.text)  # {"en": ..., "zh": ...}

    def cell(v: Any, p: str) -> dict[str, Any]:
        return r.fields(v, p, {"state": r.one_of(CELL_STATES), "text": texts, "note": texts})

    def row(v: Any, p: str) -> dict[str, Any]:
        return r.fields(v, p, {
            "host": r.text, "product": r.text, "necessary": r.flag, "source": r.text,
            "state": r.one_of(CELL_STATES), "universal_domain": r.text,
            "cells": r.mapping(cell, MAX_COLUMNS)})

    def column(v: Any, p: str) -> dict[str, Any]:
        return r.fields(v, p, {"id": r.text, "title": texts})

    def domain_list(v: Any, p: str) -> dict[str, Any]:
        return r.fields(v, p, {
            "path": r.text, "modified": r.text, "domains": r.count_of,
            "necessary": r.count_of, "addresses": r.count_of,
            "not_tested": r.list_of(r.text), "wildcards": r.list_of(r.text)})

    return r.fields(value, path, {
        "ports": r.list_of(r.opt_int, MAX_COLUMNS), "columns": r.list_of(column, MAX_COLUMNS),
        "rows": r.list_of(row, MAX_ROWS), "domain_list": domain_list})
