"""Fast paths of the crawl's per-page work answer exactly as the slower code they replace:
pipelines.attachments.may_link_files (substring scans for MAY_LINK_FILE), the literal-prefix
prefilter of crawler.middlewares.challenge_rule, and the spider's compiled XPaths for link text."""

import random

import pytest
from parsel import Selector

from crawler import discovery_rules as R
from crawler import fault_rules as F
from crawler.middlewares import challenge_rule, literal_prefixes
from crawler.spiders.reports import _anchor_text, _list_date

from pipelines.attachments import MAY_LINK_FILE, may_link_files

PIECES = list("pdfocxwsnlaPDFOCXWSNLA%&#4567abAB\"'?>)\\ \t\n\u3000<=/.-_\u00a0中文") + [
    "pdf", "DOC", "docx", "Download", "downFILE", "wps", "ofd", "%4", "&#", "\u0131", "\u0130", "\u017f", "\u212a"]


@pytest.mark.parametrize("text, expected", [
    ('<a href="/f/r.pdf">', True), ("<!DOCTYPE html><p>document</p>", False), ("r.DOCX?x=1", True),
    ("a.docxy b.doct", False), ("x.wps", True), ("/downfile.jsp", True), ("%6Ff", True), ("&#112;", True),
    ("width:100%;", False), ("see r.ofd\n", True), ("x.pd\u017f", False), ("DOWNLOAD", True), ("", False),
])
def test_examples(text, expected):
    assert may_link_files(text) is expected
    assert (MAY_LINK_FILE.search(text) is not None) is expected


def test_same_answer_as_the_regex_on_random_text():
    rng = random.Random(7)
    for _ in range(50000):
        s = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        assert may_link_files(s) == (MAY_LINK_FILE.search(s) is not None), s


def test_sample_web_pages_agree():
    from pipelines.eval_extract import sample_web_pages

    for _name, body, gold in sample_web_pages():
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        assert may_link_files(text) == (MAY_LINK_FILE.search(text) is not None), gold["url"]


def test_every_challenge_marker_has_prefixes():
    for rule in F.CHALLENGE_RULES:
        prefixes = literal_prefixes(rule["marker"])
        assert prefixes and all(len(p) >= 2 for p in prefixes), rule["name"]


def test_prefilter_never_hides_a_challenge():
    rng = random.Random(3)
    pieces = [b"__jsl_clearance", b"_jsl_clearance_s", b"document.cookie=('_j", b"$_ts =", b"$_ts.", b"$_ts[",
              "瑞数".encode(), "安全验证".encode(), "滑动验证".encode("gb18030"), b"_jsl", b"$_t", b"<html>", b" ",
              "请开启JavaScript".encode(), b"document.cookie", "验证".encode()]
    for _ in range(20000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        for status in (200, 412, 521):
            slow = next((r["name"] for r in F.CHALLENGE_RULES if status in r["statuses"]
                         and len(body) <= r["max_bytes"] and r["marker"].search(body)), None)
            assert challenge_rule(status, body) == slow, body


def test_no_prefixes_for_patterns_it_cannot_read():
    import re

    assert literal_prefixes(re.compile(rb"a|bc")) is None  # a one-byte prefix filters nothing
    assert literal_prefixes(re.compile(rb"(?i)abc|def")) is None
    assert literal_prefixes(re.compile("abc")) is None  # str patterns: not page bytes
    assert literal_prefixes(re.compile(rb"ab(c|d)e|xy")) == (b"ab", b"xy")


def test_link_text_and_list_date_as_parsel_gives_them():
    html = """<ul><li><a href="/a.html"> 关于<b>2023年</b> 法治<!-- c -->政府 </a><span>2024-3-5</span></li>
    <li><a href="/b.html" title=" 标题 "><img src="x.png"></a> 2024年03月06日</li>
    <tr><td><a href="/c.html">无日期</a></td></tr></ul>"""
    for a in Selector(text=html).css("a[href]"):
        text = " ".join(t.strip() for t in a.css("::text").getall()).strip()
        assert _anchor_text(a) == (text or (a.attrib.get("title") or "").strip())
        m = R.LIST_DATE.search(" ".join(a.xpath(R.LIST_ITEM_TEXT).getall()))
        assert _list_date(a) == (f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None)
    links = Selector(text=html).css("a[href]")
    assert [_anchor_text(a) for a in links] == ["关于 2023年 法治 政府", "标题", "无日期"]
    assert _list_date(links[0]) == "2024-03-05"
