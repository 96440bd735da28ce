"""The fast paths of process_page (issue 11) answer exactly as the plain code they replace:
the character-map NFKC, regexes led by a first-character lookahead, the UTF-8 parse, the
blank-line shortcut of the walk, and the web-page shortcut of attachments.detect."""

import random
import re
import unicodedata

import pytest

from pipelines import attachments, classify, extract, normalize, rules
from pipelines.extract import _first_chars, compile_gated
from pipelines.normalize import nfkc

# -- NFKC ------------------------------------------------------------------------------------------

NFKC_PIECES = (
    list("，。：；（）！？　＂＃＄％＆＇＊＋－／０９ＡＺａｚ～｡｢｣､･ｱｶﾞﾟ￥￠…‥ \u00a0\u2002\u2003")
    + list("法治政府建设报告年度ÅéeEaA한\u1100\u1161\u11a8ｶﾞﾊﾟ①⑴❶㉑㍿ﬁ²½")
    + ["\u0301", "\u0308", "\u0327", "\u3099", "\u309a", "\uff9e", "\uff9f", "\u0345", "\u05b0", "\n", "\t"]
)


def test_nfkc_equals_unicodedata_on_every_bmp_character():
    for cp in range(0x10000):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        assert nfkc(ch) == unicodedata.normalize("NFKC", ch), hex(cp)


def test_nfkc_equals_unicodedata_on_random_mixtures():
    # full-width forms next to combining marks, halfwidth kana + voicing marks (they compose),
    # Hangul jamo: the character map must hand every such text to the full normalization
    rng = random.Random(11)
    for _ in range(30000):
        s = "".join(rng.choice(NFKC_PIECES) for _ in range(rng.randint(0, 12)))
        assert nfkc(s) == unicodedata.normalize("NFKC", s), repr(s)


def test_nfkc_keeps_protected_list_markers():
    assert normalize._nfkc("①（一）２０２３年") == "①(一)2023年"
    assert normalize._nfkc("⑴ＡＢ❶") == "⑴AB❶"


# -- first-character gates ------------------------------------------------------------------------

def gated_patterns():
    return [
        ("|".join(f"(?:{p})" for p in rules.CHROME_LINES), re.I),
        (extract._LABEL.pattern.split(")(?:", 1)[1][:-1], 0),  # the label pattern, ungated
        (classify_rules_pattern("REPORT_OPENING"), 0),
        (classify_rules_pattern("SITE_SEGMENT"), 0),
        (classify_rules_pattern("TITLE_LINE_EXCLUDE"), re.I),
        (r"(?<!\d)((?:19|20)\d\d)(?!\d)", 0),
        (r"(?:具体|有关)?(?:工作)?情况(?:报告|汇报)如下|^\s*[【\[]?打印", 0),
        (r"(?i:copyright)|©", 0),
    ]


def classify_rules_pattern(name):
    from pipelines import classify_rules

    return getattr(classify_rules, name)


def fuzz_strings(pattern, rng, n):
    """Random strings built of the pattern's own words and characters (so that they match now
    and then), plus spaces, colons and brackets."""
    chars = sorted({c for c in pattern if not c.isascii() or c.isalnum()} | set(" :：\t【】[]|-12"))
    words = re.findall(r"\w{2,}", pattern) or chars
    for _ in range(n):
        yield "".join(rng.choice(words) if rng.random() < 0.4 else rng.choice(chars)
                      for _ in range(rng.randint(0, 10)))


@pytest.mark.parametrize("i", range(8))
def test_gated_regex_finds_what_the_plain_one_finds(i):
    pattern, flags = gated_patterns()[i]
    plain, gated = re.compile(pattern, flags), compile_gated(pattern, flags)
    rng = random.Random(i)
    texts = list(fuzz_strings(pattern, rng, 20000)) + ["打印本页", "COPYRIGHT 2024", "现将有关情况报告如下"]
    for s in texts:
        assert [m.span() for m in plain.finditer(s)] == [m.span() for m in gated.finditer(s)], s
        assert bool(plain.match(s)) == bool(gated.match(s)), s
        assert bool(plain.search(s, 1, 8)) == bool(gated.search(s, 1, 8)), s


def test_the_hot_tables_are_gated():
    # the point of the gates: the chrome line table and the label table skip most positions
    assert extract._CHROME_LINES.pattern.startswith("(?=[")
    assert extract._LABEL.pattern.startswith("(?=[")
    assert classify._REPORT_OPENING.pattern.startswith("(?=[")


@pytest.mark.parametrize("pattern", [
    "abc",            # re has a literal prefix scan of its own
    "[ab]c",          # and a first-character set
    "x*",             # may match empty
    ".a|b",           # any character
    "[^a]b",          # a negated class
    "(?i)ab|(?:c)",   # inline global flags
    "(?i:C)x|(?:y)",  # scoped flags: the gate would be compiled with other flags
    "(a)?\\1c|(?:d)",  # a backreference may come first
])
def test_no_gate_when_it_is_unknown_or_useless(pattern):
    assert _first_chars(pattern) is None
    assert compile_gated(pattern).pattern == pattern


def gate_chars(pattern, alphabet):
    gate = re.compile(f"[{_first_chars(pattern)}]")
    return {c for c in alphabet if gate.match(c)}


def test_gate_sets():
    alphabet = "具有情况发来索引:：abcdqxyz059 \t"
    assert gate_chars("(?:具体|有关)?(?:工作)?情况", alphabet) == set("具有情")
    assert gate_chars("(?<=[:：])(?:发布|来源)|^\\s*索引", alphabet) == set("发来索 \t")
    assert gate_chars("(?:[a-c]|[0-9x])y|(?:q)", alphabet) == set("abcq059x")
    assert gate_chars("(?:a|b?)c|(?:d)", alphabet) == set("abcd")      # b? may be skipped
    assert gate_chars("(?:x{0,2}y)|(?:z{1,3}q)", alphabet) == set("xyz")
    assert gate_chars("(?:^|(?<=:))(?:具体)", alphabet) == set("具")   # zero-width items
    assert gate_chars("(?=情)(?:情况)|(?:来源)", alphabet) == set("情来")
    gate = re.compile(f"[{_first_chars('[ ]?Copyright', re.I)}]", re.I)  # the pattern's flags
    assert gate.match("c") and gate.match("C") and gate.match(" ") and not gate.match("o")


def page_lines():
    from pathlib import Path

    from pipelines.encoding import decode_html

    for f in sorted(Path(__file__).parent.joinpath("pages").rglob("*.html")):
        root = extract._parse(decode_html(f.read_bytes(), None)[0])
        yield from (line for line, _flag in extract._walk(root))


def test_gated_tables_agree_on_every_line_of_the_test_pages():
    chrome = re.compile("|".join(f"(?:{p})" for p in rules.CHROME_LINES), re.I)
    label = re.compile(extract._LABEL.pattern.split(")(?:", 1)[1][:-1])
    n = hits = 0
    for line in page_lines():
        n += 1
        assert bool(chrome.search(line)) == bool(extract._CHROME_LINES.search(line)), line
        assert [m.span() for m in label.finditer(line)] == [m.span() for m in extract._LABEL.finditer(line)]
        hits += bool(chrome.search(line))
    assert n > 1000 and hits > 50


# -- parsing and the walk ---------------------------------------------------------------------------

@pytest.mark.parametrize("html", [
    '<html><head><meta charset="gbk"><title>标题</title></head><body><p>正文，内容</p></body></html>',
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head>'
    '<body><div id="zoom">繁體內容</div></body></html>',
    "<p>é ü \u00a0 &amp; &#x4e2d; 文</p>",
    "<p>lone surrogate \udc80 文</p>",
])
def test_utf8_parse_gives_the_str_parse_tree(html):
    from lxml import etree

    root = extract._parse(html)
    plain = etree.fromstring(extract._clean_markup(html), extract._PARSER)
    assert etree.tostring(root, encoding=str) == etree.tostring(plain, encoding=str)


def _finish_line_plain(pieces, body=True):
    s = "".join(pieces)
    if body and "\n" in s:
        s = extract._WIDE_BREAK.sub("", s)
    s = extract._SPACE_RUN.sub(" ", s)
    if extract._CELL in s:
        cells = [c.strip(extract._LINE_STRIP) for c in s.split(extract._CELL)]
        while cells and not cells[0]:
            cells.pop(0)
        while cells and not cells[-1]:
            cells.pop()
        s = "\t".join(cells)
    return s.strip(extract._LINE_STRIP)


def test_finish_line_fast_paths_agree():
    pieces = [" ", "  ", "\n", "\t", "\r", "\f", "\v", "\u3000", "\xa0", "\u200b", "\u2028", "\x1c",
              extract._CELL, "文", "字", "a", "1", "：", "\n\n"]
    rng = random.Random(5)
    for _ in range(30000):
        p = [rng.choice(pieces) for _ in range(rng.randint(1, 8))]
        for body in (True, False):
            assert extract._finish_line(p, body) == _finish_line_plain(p, body), (p, body)


# -- attachments.detect ----------------------------------------------------------------------------

@pytest.mark.parametrize("part, kind", [
    ({"url": "http://x.test/a.pdf", "content_type": "text/html", "body": b"<html>"}, None),
    ({"url": "http://x.test/a.html", "content_type": "text/html; charset=gbk", "body": b"%PDF-1.4"}, "pdf"),
    ({"url": "http://x.test/a.doc", "content_type": "application/msword", "body": b"\xd0\xcf"}, "doc"),
    ({"url": "http://x.test/down?filename=r.wps", "content_type": "application/octet-stream",
      "body": b"xx"}, "wps"),
])
def test_detect(part, kind):
    assert attachments.detect(part) == kind
