"""The endpoint matrix: one row per server, one column per thing measured.

Built from a report's check evidence alone (pure, no Qt), so the window's Servers
view, the PDF, `--matrix` text and IT systems reading the JSON `matrix` object all
get the same table. Every cell has a state (`ok`, `info`, `warn`, `fail`, or
`none`: not measured), the measurement in words in both languages, structured
values, and for a cell that was not measured a `note` saying why.

Each check declares the columns its evidence fills (`Check.matrix_columns`, with the
function that reads one server's cell, in the check's module); this module puts them
side by side and holds what every renderer of the table shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.engine.check import all_checks
from checks.report import words as w
from checks.report.matrix_cells import DASH, ORDER, Column, measure, unmeasured_cell
from checks.shared.i18n import Text, t
from checks.tencent.domain_list import cut_text
from checks.tencent.products import display_name

PORT_UNUSED = t("Not tested on port {port}: the server does not use it.",
                "未检测 {port} 端口：该服务器不使用此端口。")

NOT_USED = t("not used", "不使用")

# How every renderer (window, PDF, text) labels the matrix.
SERVER = t("Server", "服务器")
OPTIONAL = t("optional", "非必要")
FIREWALL = t("allow *.{domain}", "放行 *.{domain}")
FROM_LIST = t("From Tencent's domain list {path} (saved {date}): {domains} domains "
              "({necessary} necessary), {addresses} addresses.",
              "来自腾讯域名列表 {path}（保存于 {date}）：{domains} 个域名（{necessary} 个必要），"
              "{addresses} 个 IP 地址。")
NOT_TESTED = t("Not tested (UDP): {hosts}.", "未检测（UDP）：{hosts}。")
WILDCARDS = t("Not tested (a wildcard is a firewall rule, not a server): {hosts}.",
              "未检测（通配符是防火墙规则，不是服务器）：{hosts}。")
NO_SERVERS = t("No servers were tested.", "没有检测任何服务器。")
SYMBOLS = {"ok": "✓", "info": "i", "warn": "!", "fail": "✗", "none": "–"}
LEGEND = t("✓ ok · i note · ! warning · ✗ failed · – not measured (the numbered note says why)",
           "✓ 正常 · i 提示 · ! 警告 · ✗ 失败 · – 未检测（编号注释说明原因）")


def source_texts(matrix: Mapping[str, Any]) -> list[Text]:
    """Where Tencent's domain list came from and its date, when the run used one."""
    listed = matrix.get("domain_list")
    if not isinstance(listed, Mapping):
        return []
    out = [FROM_LIST.with_params(
        path=listed.get("path", "?"), date=listed.get("modified", "?"),
        domains=listed.get("domains", 0), necessary=listed.get("necessary", 0),
        addresses=listed.get("addresses", 0))]
    out += [cut for cut in (cut_text(listed),) if cut is not None]
    if listed.get("not_tested"):
        out.append(NOT_TESTED.with_params(hosts=list(listed["not_tested"])))
    if listed.get("wildcards"):
        out.append(WILDCARDS.with_params(hosts=list(listed["wildcards"])))
    return out


def server_details(row: Mapping[str, Any]) -> list[Text]:
    """Under the host name: "WeCom · optional", and the firewall rule Tencent names."""
    details = [display_name(str(row.get("product") or ""))]
    if row.get("necessary") is False:
        details.append(OPTIONAL)
    out = [w.join(details)]
    if row.get("universal_domain"):
        out.append(FIREWALL.with_params(domain=row["universal_domain"]))
    return out


def header_titles(matrix: Mapping[str, Any], lang: str) -> list[str]:
    """The table's header in `lang`: "Server", then each column's title."""
    return [SERVER.render(lang)] + [str((c.get("title") or {}).get(lang, c.get("id")))
                                    for c in matrix.get("columns") or []]


def cell_of(row: Mapping[str, Any], key: Any) -> Mapping[str, Any]:
    """A row's cell for a column id; an empty one when the row has none."""
    return (row.get("cells") or {}).get(key) or {}


def cell_words(cell: Mapping[str, Any], lang: str, notes: dict[str, int]) -> tuple[str, int | None]:
    """A cell's text, and for a cell that was not measured the number of its note
    (`notes` collects them in order; equal reasons share a number)."""
    text = str((cell.get("text") or {}).get(lang) or DASH)
    note = (cell.get("note") or {}).get(lang)
    if note and text == DASH:
        return text, notes.setdefault(str(note), len(notes) + 1)
    return text, None


def columns() -> list[Column]:
    """Every check's matrix columns, left to right."""
    return sorted((c for check in all_checks() for c in check.matrix_columns),
                  key=lambda c: c.position)


def build_matrix(report: Mapping[str, Any]) -> dict[str, Any]:
    """The `matrix` object of the JSON report (see README, "JSON report")."""
    checks = {c.get("id"): c for c in report.get("checks") or [] if isinstance(c, Mapping)}
    endpoints = [e for e in report.get("endpoints") or [] if isinstance(e, Mapping) and e.get("host")]
    ports = sorted({int(p) for e in endpoints for p in e.get("ports") or [] if _is_port(p)},
                   key=_port_order)
    declared = columns()
    shown: list[tuple[str, Text]] = []
    for column in declared:
        if column.per_port:
            shown += [(f"{column.key}_{p}", column.title.with_params(port=p)) for p in ports]
        else:
            shown.append((column.key, column.title))
    rows = [_row(e, ports, checks, declared) for e in endpoints]
    matrix: dict[str, Any] = {
        "ports": ports,
        "columns": [{"id": key, "title": title.both()} for key, title in shown],
        "rows": rows,
    }
    if isinstance(report.get("domain_list"), Mapping):
        matrix["domain_list"] = dict(report["domain_list"])
    return matrix


def _is_port(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536


def _port_order(port: int) -> tuple[int, int]:
    # The clients try 443, then 80, then 8080: the columns follow.
    preferred = (443, 80, 8080)
    return (preferred.index(port) if port in preferred else len(preferred), port)


def _row(endpoint: Mapping[str, Any], ports: list[int], checks: dict[Any, Any],
         declared: list[Column]) -> dict[str, Any]:
    host = str(endpoint["host"])
    own_ports = [p for p in endpoint.get("ports") or [] if _is_port(p)]
    cells: dict[str, dict[str, Any]] = {}
    for column in declared:
        if not column.per_port:
            cells[column.key] = measure(column, host, endpoint, checks, None)
            continue
        for port in ports:
            cells[f"{column.key}_{port}"] = (
                measure(column, host, endpoint, checks, port) if port in own_ports
                else unmeasured_cell(PORT_UNUSED.with_params(port=port), NOT_USED))
    necessary = endpoint.get("necessary", True) is not False
    if not necessary:  # a server the client can do without never shows red
        for cell in cells.values():
            if cell["state"] == "fail":
                cell["state"] = "warn"
    row = {
        "host": host,
        "product": endpoint.get("product"),
        "necessary": necessary,
        "source": endpoint.get("source", "config"),
        "state": max((c["state"] for c in cells.values()), key=ORDER.__getitem__, default="none"),
        "cells": cells,
    }
    if endpoint.get("universal_domain"):
        row["universal_domain"] = endpoint["universal_domain"]
    return row


# -- cells -----------------------------------------------------------------------------












































