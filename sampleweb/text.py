"""Body text helpers shared by the renderer and the ground truth."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from sampleweb.model import Article

BODIES = Path(__file__).resolve().parent / "bodies"

HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")
SIGNATURE_RE = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|.{2,24}(?:人民政府|局|办事处|办公室|委员会))$")


@lru_cache(maxsize=None)
def body_file_lines(name: str) -> tuple[str, ...]:
    text = (BODIES / name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def article_lines(article: Article, big5: bool = False) -> list[str]:
    """The body as stored: one paragraph per line, table rows as ``|a|b|``."""
    if big5 and article.big5_body:
        return list(body_file_lines(article.big5_body))
    lines = list(body_file_lines(article.body)) if article.body else list(article.text)
    if article.first_sentence and lines:
        _, end, rest = lines[0].partition("。")
        lines[0] = article.first_sentence + (rest if end else "")
    if article.injected:
        at, line = article.injected
        lines.insert(at, line)
    return lines


def is_table_row(line: str) -> bool:
    return len(line) > 2 and line.startswith("|") and line.endswith("|")


def table_cells(line: str) -> list[str]:
    return line[1:-1].split("|")


def reader_lines(lines: list[str]) -> list[str]:
    """What a reader should get from the page: table rows become one line, cells joined by a tab
    (the extraction contract, docs/CONTRACTS.md)."""
    return ["\t".join(table_cells(x)) if is_table_row(x) else x for x in lines]


def is_heading(line: str) -> bool:
    return bool(HEADING_RE.match(line)) and len(line) <= 60 and not line.endswith("。")


def signature_start(lines: list[str]) -> int:
    """Index where the closing signature (issuer line, date line) starts; len(lines) if none."""
    i = len(lines)
    while i > 0 and len(lines) - i < 2 and SIGNATURE_RE.match(lines[i - 1]) and len(lines[i - 1]) <= 24:
        i -= 1
    return i


def split_parts(lines: list[str], n: int) -> list[list[str]]:
    """Split a body into ``n`` pages of similar length at paragraph boundaries (never inside a
    table, never leaving a page empty)."""
    if n <= 1:
        return [list(lines)]
    total = sum(len(x) for x in lines)
    cuts, acc, k = [], 0, 1
    for i, line in enumerate(lines):
        acc += len(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if k < n and acc >= total * k / n and nxt is not None and not (is_table_row(line) and is_table_row(nxt)):
            cuts.append(i + 1)
            k += 1
    while len(cuts) < n - 1:          # very short bodies: one paragraph per extra page
        cuts.append(min(len(lines) - 1, (cuts[-1] if cuts else 0) + 1))
    bounds = [0] + cuts + [len(lines)]
    parts = [list(lines[a:b]) for a, b in zip(bounds, bounds[1:])]
    assert all(parts) and sum(parts, []) == list(lines)
    return parts
