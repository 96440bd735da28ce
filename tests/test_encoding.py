"""pipelines.encoding.decode_html: BOM, header, <meta>, detection, fallbacks, never raises."""

from __future__ import annotations

import os

import pytest

from pipelines.encoding import decode_html, normalize_charset

TEXT = "铁岭县人民政府关于2021年法治政府建设情况的报告。县长王堃、张镕同志出席会议。"
PAGE = '<html><head>{meta}<title>t</title></head><body><p>' + TEXT + "</p></body></html>"


def page(meta: str = "") -> str:
    return PAGE.format(meta=meta)


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("gb2312", "gb18030"), ("GB2312", "gb18030"), ("gbk", "gb18030"), ("GBK", "gb18030"),
        ("gb_2312-80", "gb18030"), ("x-gbk", "gb18030"), ("cp936", "gb18030"),
        ("gb18030", "gb18030"), ("utf8", "utf-8"), ("UTF-8", "utf-8"), ("big5", "big5hkscs"),
        ("no-such-charset", None), ("", None), (None, None),
    ],
)
def test_normalize_charset(name, codec):
    assert normalize_charset(name) == codec


def test_gb2312_declared_page_with_chars_outside_gb2312():
    # 堃 and 镕 are not in GB2312: a strict gb2312 decoder would fail or lose them
    html = page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    body = html.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    text, enc = decode_html(body)
    assert enc == "gb18030"
    assert TEXT in text


def test_http_header_wins_over_meta():
    html = page('<meta charset="big5">')
    text, enc = decode_html(html.encode("gbk"), "text/html; charset=GBK")
    assert enc == "gb18030" and TEXT in text


def test_meta_charset_forms():
    for meta in ('<meta charset="gbk">', "<meta charset=gbk>",
                 '<meta http-equiv="Content-Type" content="text/html;charset=gb2312" />',
                 "<META HTTP-EQUIV='content-type' CONTENT='text/html; charset=GB2312'>"):
        text, enc = decode_html(page(meta).encode("gbk"))
        assert enc == "gb18030", meta
        assert TEXT in text


def test_xml_declaration_charset():
    html = '<?xml version="1.0" encoding="gb2312"?>' + page()
    text, enc = decode_html(html.encode("gbk"))
    assert enc == "gb18030" and TEXT in text


def test_utf16le_bom_beats_gb2312_declaration():
    html = page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    body = b"\xff\xfe" + html.encode("utf-16-le")
    text, enc = decode_html(body, "text/html; charset=gb2312")
    assert enc == "utf-16-le"
    assert TEXT in text and not text.startswith("\ufeff")


def test_utf16be_bom_and_utf8_bom():
    html = page('<meta charset="gbk">')
    text, enc = decode_html(b"\xfe\xff" + html.encode("utf-16-be"))
    assert enc == "utf-16-be" and TEXT in text
    text, enc = decode_html(b"\xef\xbb\xbf" + html.encode("utf-8"), "text/html; charset=gbk")
    assert enc == "utf-8" and TEXT in text and not text.startswith("\ufeff")


def test_utf16_without_bom():
    html = page('<meta charset="utf-8">')
    text, enc = decode_html(html.encode("utf-16-le"))
    assert enc == "utf-16-le" and TEXT in text


def test_declared_utf8_but_bytes_are_gbk():
    html = page('<meta charset="utf-8">')
    text, enc = decode_html(html.encode("gbk"), "text/html; charset=utf-8")
    assert enc == "gb18030" and TEXT in text


def test_declared_gb2312_but_bytes_are_utf8():
    # GB18030 would decode these bytes without an error, as mojibake
    html = page('<meta charset="gb2312">')
    text, enc = decode_html(html.encode("utf-8"), "text/html; charset=gb2312")
    assert enc == "utf-8" and TEXT in text


def test_latin1_declaration_on_a_chinese_page():
    html = page('<meta charset="iso-8859-1">')
    text, enc = decode_html(html.encode("utf-8"))
    assert enc == "utf-8" and TEXT in text
    text, enc = decode_html(html.encode("gbk"))
    assert TEXT in text


def test_undeclared_pages_are_detected():
    html = page()
    text, enc = decode_html(html.encode("utf-8"))
    assert enc == "utf-8" and TEXT in text
    text, enc = decode_html((html * 3).encode("gbk"))
    assert enc == "gb18030" and TEXT in text


def test_truncated_gbk_page_keeps_its_declared_charset():
    html = page('<meta charset="gb2312">') * 20
    body = html.encode("gbk")[:-1] + b"\xd6"  # cut in the middle of a character
    text, enc = decode_html(body)
    assert enc == "gb18030" and TEXT in text


def test_ascii_page():
    assert decode_html(b"<p>hello</p>") == ("<p>hello</p>", "utf-8")
    assert decode_html(b'<meta charset="gbk"><p>hello</p>')[1] == "gb18030"


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00", b"\xff\xfe", b"\xfe\xff\x00", b"\xef\xbb\xbf", os.urandom(3000),
     b"\x1f\x8b\x08\x00\x00\x00", b'<meta charset="no-such-charset"><p>\xe4\xb8\xad</p>',
     b"<meta charset=utf-16><p>x</p>"],
)
def test_junk_never_raises(body):
    text, enc = decode_html(body)
    assert isinstance(text, str) and isinstance(enc, str)


def test_str_input_is_tolerated():
    assert decode_html("<p>已经解码</p>") == ("<p>已经解码</p>", "utf-8")


def test_utf8_page_with_a_damaged_character_stays_utf8():
    # CMSes cut related-link titles by bytes, leaving half a character in the middle of the page
    good = page('<meta charset="utf-8">') * 30
    raw = good.encode("utf-8")
    cut = raw.index("报告".encode()) + 2
    body = raw[:cut] + raw[cut + 1:]
    for ct in (None, "text/html; charset=utf-8", "text/html; charset=gb2312"):
        text, enc = decode_html(body, ct)
        assert enc == "utf-8", ct
        assert text.count(TEXT) == 29


def test_truncated_utf8_download():
    raw = (page('<meta charset="utf-8">') * 5).encode("utf-8")
    body = raw[: raw.rindex("会议".encode()) + 1]  # ends in the middle of a character
    for ct in (None, "text/html; charset=utf-8"):
        text, enc = decode_html(body, ct)
        assert enc == "utf-8" and text.count(TEXT) == 4
