"""Split a normalized report text into its numbered sections.

``split_sections(text)`` expects ``pipelines.normalize.normalize_text`` output (one paragraph per
line, NFKC: full-width （一） arrives as (一), ． as .). It returns one dict per heading, in order:

``level``     1 for ``一、``; 2 for ``(一)``; 3 for ``1.`` / ``1、`` / ``(1)``.
``number``    the numbering as written, normalized: ``"一"``, ``"(一)"``, ``"1"``.
``heading``   the heading's title without its number: the whole line when the line is a short
              heading, or the line up to its first sentence end (。!?;) when the body runs on in
              the same line ("(一)行政执法还不够规范。由于..." -> "行政执法还不够规范"); a
              trailing 。:, is dropped.
``text``      the section's *own* paragraphs, joined by "\\n": the run-on remainder of the heading
              line, then the lines up to the next heading of *any* level. Child sections' text is
              not repeated in the parent (concatenate the children for the full text).
``position``  0-based order.

Text before the first heading (title, preamble) belongs to no section. Page furniture after the
body (扫一扫, 主办:, 网站标识码...) is dropped.

Not headings: ``1.8个工作日`` (a decimal), ``2023年...`` (no 、/. after the number), ``一是...``
(enumeration inside a paragraph), numbers in the middle of a line, a "heading" whose title runs
past 60 characters without a sentence end (a numbered paragraph, not a heading), and a number that
goes backwards within its parent (``3.`` then ``2.``), unless it restarts at 1.
"""

from __future__ import annotations

import re

MAX_TITLE = 60

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}

#: (level, regex) heading patterns, tried in order on a stripped line.
HEADING_PATTERNS: tuple[tuple[int, re.Pattern], ...] = (
    (1, re.compile(r"^([一二三四五六七八九十]{1,3})\s*(?:、|\.(?![\d一二三四五六七八九十]))\s*")),
    (2, re.compile(r"^\(\s*([一二三四五六七八九十]{1,3})\s*\)[、.]?\s*")),
    (3, re.compile(r"^\(\s*(\d{1,2})\s*\)[、.]?\s*(?!\d)")),
    (3, re.compile(r"^(\d{1,2})\s*(?:、|\.(?!\d))\s*")),
)

#: Sentence ends that close a run-in heading.
_SENTENCE_END = re.compile(r"[。!?;]")

#: Page furniture after the report body.
FOOTER_RE = re.compile(
    r"^(?:扫一扫|主办\s*[:：]|承办\s*[:：]|网站标识码|网站地图|[【\[]?\s*(?:打印|关闭)|关闭窗口|分享到"
    r"|版权所有|政府网站标识码|.{0,20}ICP备|.{0,10}公网安备)")


def cn_number(s: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十 -> 20 (up to 99)."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        if t is None or o is None or "十" in ones:
            return None
        return t * 10 + o
    if len(s) == 1:
        return _CN_DIGITS.get(s)
    return None


def parse_heading(line: str) -> tuple[int, str, int, str, str] | None:
    """``(level, number, value, title, rest)`` if ``line`` is a heading line, else None."""
    line = line.strip()
    for level, rx in HEADING_PATTERNS:
        m = rx.match(line)
        if not m:
            continue
        value = cn_number(m.group(1))
        if value is None or value == 0:
            return None
        body = line[m.end():].strip()
        end = _SENTENCE_END.search(body)
        if end:
            title, rest = body[:end.start()], body[end.end():].strip()
        else:
            title, rest = body, ""
        title = title.strip().rstrip(":,,、 ")
        if not title or len(title) > MAX_TITLE:
            return None
        if not re.search(r"[\u4e00-\u9fff]", title):
            return None
        number = m.group(1) if level != 2 else f"({m.group(1)})"
        return level, number, value, title, rest
    return None


def split_sections(text: str) -> list[dict]:
    """The numbered sections of a normalized report text (see module doc). Never raises on str."""
    if not isinstance(text, str) or not text:
        return []
    sections: list[dict] = []
    last_value: dict[int, int] = {}
    in_footer = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        h = parse_heading(line)
        if h is not None:
            level, number, value, title, rest = h
            prev = last_value.get(level)
            if prev is not None and value <= prev and value != 1:
                h = None  # numbering went backwards: a list item, not a heading
        if h is not None:
            level, number, value, title, rest = h
            last_value[level] = value
            for deeper in [lv for lv in last_value if lv > level]:
                del last_value[deeper]
            sections.append({
                "level": level, "number": number, "heading": title,
                "text": [rest] if rest else [], "position": len(sections),
            })
            in_footer = False
            continue
        if FOOTER_RE.match(line):
            in_footer = True
        if in_footer or not sections:
            continue
        sections[-1]["text"].append(line)
    for s in sections:
        s["text"] = "\n".join(s["text"])
    return sections
