"""Property and fuzz tests: random and mutated HTML never makes extraction or processing raise or
hang, and normalization is idempotent on random text. (URL properties: tests/test_urls.py.)

The mutations start from the gold pages (tests/pages/*.html): truncated, tags deleted, junk bytes
injected, re-encoded under a lying charset. The hypothesis deadline is a hang guard, not a speed test.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from pipelines.extract import extract
from pipelines.normalize import normalize_text, normalize_title
from pipelines.process import process_page

PAGES = sorted((Path(__file__).parent / "pages").glob("*.html"))
GOLD = [p.read_bytes() for p in PAGES]
FUZZ = settings(max_examples=25, deadline=2000, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)
CHARSETS = ["utf-8", "gbk", "gb2312", "gb18030", "big5", "utf-16", "iso-8859-1", "shift_jis", "bogus-x"]
CONTENT_TYPES = st.one_of(st.none(), st.sampled_from(
    [f"text/html; charset={c}" for c in CHARSETS] + ["application/octet-stream", "text/plain", "",
                                                     "text/html; charset=", "application/pdf"]))
URLS = st.sampled_from([None, "http://www.example.gov.cn/art/2024/3/1/art_1_2.html",
                        "http://www.example.gov.cn/gate/big5/www.example.gov.cn/a.html", "not a url"])
JUNK = st.sampled_from([b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"<", b">", b"</div>", b"<!--", b"<![CDATA[",
                        b"<script>", b"&#x0;", b"&#99999999;", b"\x1b[0m", b"\xe6\xb3", b"\x80\x81",
                        b"<meta charset=big5>", b"<table><tr><td>", b"\r\n\r\n", b"%PDF-1.7"])


@st.composite
def mutated_pages(draw) -> bytes:
    body = GOLD[draw(st.integers(0, len(GOLD) - 1))]
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "delete_tag", "inject", "reencode", "swap_meta", "slice"]))
        if op == "truncate":
            body = body[: draw(st.integers(0, len(body)))]
        elif op == "delete_tag" and b"<" in body:
            start = body.find(b"<", draw(st.integers(0, max(0, len(body) - 1))))
            end = body.find(b">", start)
            if start >= 0 and end > start:
                body = body[:start] + body[end + 1:]
        elif op == "inject":
            at = draw(st.integers(0, len(body)))
            body = body[:at] + draw(st.one_of(JUNK, st.binary(max_size=64))) + body[at:]
        elif op == "reencode":  # decode as what it probably is, re-encode as something else
            text = body.decode("utf-8", "replace")
            body = text.encode(draw(st.sampled_from(["gbk", "big5", "utf-16", "utf-16-le", "latin-1"])), "replace")
        elif op == "swap_meta":  # lie about the encoding in the page itself
            body = body.replace(b"charset=", b"charset=" + draw(st.sampled_from(CHARSETS)).encode() + b";x=", 1)
        elif op == "slice" and len(body) > 2:
            a = draw(st.integers(0, len(body) - 1))
            body = body[a:] + body[:a]
    return body


RANDOM_HTML = st.recursive(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    lambda inner: st.builds(
        lambda tag, attrs, kids: f"<{tag}{attrs}>{''.join(kids)}</{tag}>",
        st.sampled_from(["div", "p", "span", "table", "tr", "td", "h1", "title", "meta", "script", "style",
                         "a", "br", "ul", "li", "font", "center", "iframe", "html", "body", "head"]),
        st.sampled_from(["", ' class="content"', ' id="zoom"', ' style="display:none"', ' charset="gbk"',
                         ' name="ArticleTitle" content="法治"', ' href="javascript:void(0)"']),
        st.lists(inner, max_size=4)),
    max_leaves=20)


def check_extract(body: bytes, content_type, url) -> None:
    out = extract(body, url=url, content_type=content_type)
    assert isinstance(out, dict) and "text" in out
    assert out["text"] is None or isinstance(out["text"], str)


@FUZZ
@given(body=mutated_pages(), content_type=CONTENT_TYPES, url=URLS)
def test_mutated_gold_pages_never_raise(body, content_type, url):
    check_extract(body, content_type, url)


@FUZZ
@given(html=RANDOM_HTML, encoding=st.sampled_from(["utf-8", "gbk", "big5", "utf-16"]), content_type=CONTENT_TYPES)
def test_random_html_never_raises(html, encoding, content_type):
    check_extract(html.encode(encoding, "replace"), content_type, None)


@FUZZ
@given(body=st.binary(max_size=4000), content_type=CONTENT_TYPES)
def test_random_bytes_never_raise(body, content_type):
    check_extract(body, content_type, None)


@settings(FUZZ, max_examples=15)
@given(parts=st.lists(mutated_pages(), min_size=1, max_size=3), content_type=CONTENT_TYPES)
def test_process_page_never_raises(parts, content_type):
    record = process_page([{"url": f"http://www.example.gov.cn/art/2024/3/1/art_1_2_{i}.html", "body": b,
                            "status": 200, "content_type": content_type} for i, b in enumerate(parts)])
    assert isinstance(record, dict)
    text = record.get("text") or ""
    assert normalize_text(text) == text  # stored text is already normalized


# Random text shaped like what portals serve: Simplified and Traditional, pinyin annotations,
# full-width forms, odd whitespace and line breaks, dates split by spaces.
PIECES = st.sampled_from([
    "法治政府建设", "年度报告", "依法行政", "區(qū)", "設(shè)", "縣（xiàn）", "政府(zhèng fǔ)", "(一)", "（二）",
    "2024- 03- 04", "2024年 3 月 4 日", "16: 22", "①", "⑴", "衞生", "羣眾", "説明", "显著", "著作",
    " ", "  ", "\t", "\u3000", "\xa0", "\n", "\r\n", "\u2028", "\u200b", "\ufeff", "\x0c", "、", "。", "《", "》",
    "“", "”", "...", "…", "ABC", "app", "(APP)", "(café)", "(de)", "ü", "ǖ", "nǚ", "Ⅻ", "㎡", "ｆｕｌｌ",
])
RANDOM_TEXT = st.one_of(
    st.lists(PIECES, max_size=30).map("".join),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=20).map("".join),
    st.text(alphabet=st.characters(categories=["Lo", "Zs", "Cc", "Ps", "Pe", "Nd", "Ll", "Mn", "Po"]),
            max_size=60),
)


@settings(max_examples=150, deadline=2000, derandomize=True)
@given(text=RANDOM_TEXT)
@example("區(qū) 設(shè)\n\n  2024- 03- 04")
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\n\n" not in once and once == once.strip()


@settings(max_examples=100, deadline=2000, derandomize=True)
@given(text=RANDOM_TEXT)
def test_normalize_title_is_idempotent(text):
    once = normalize_title(text)
    assert normalize_title(once) == once
    assert "\n" not in once
