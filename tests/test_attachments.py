"""Reports published as attachments: file recognition, text extraction, and the crawl's archive."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import sqlite_utils

from archive.pagebody import page_body
from pipelines import attachments as A
from pipelines.normalize import normalize_text
from pipelines.process import process_page
from sampleweb import files, truth
from sampleweb.server import SampleWeb
from sampleweb.text import body_file_lines, reader_lines

REPORT = list(body_file_lines("jianyang_2023_report.txt"))
TABLE_REPORT = list(body_file_lines("tielingxian_2023_report.txt"))   # has a 2-row table


def part(url, body, ctype=None, **kw):
    return {"url": url, "status": 200, "content_type": ctype, "body": body, **kw}


# -- extraction ------------------------------------------------------------------------------------
def test_pdf_text_is_exact():
    got = A.extract_file(part("http://x.test/P0201.pdf", files.pdf(REPORT, created="2024-03-28 16:05"),
                              "application/pdf"))
    assert (got.kind, got.needs_ocr, got.note, got.created) == ("pdf", False, None, "2024-03-28")
    assert got.text.split("\n") == REPORT


def test_pdf_lines_are_joined_into_paragraphs():
    assert A.join_pdf_lines(["\u3000\u3000一二三四五", "六七。", "\u3000\u3000甲乙丙丁戊", "己。",
                             "\u3000" * 3 + "某府"]) == "一二三四五六七。\n甲乙丙丁戊己。\n某府"


def test_docx_text_is_exact_tables_included():
    got = A.extract_file(part("http://x.test/a.docx", files.docx(TABLE_REPORT),
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    assert (got.kind, got.note) == ("docx", None)
    assert got.text.split("\n") == reader_lines(TABLE_REPORT)


def test_scanned_pdf_needs_ocr():
    got = A.extract_file(part("http://x.test/scan.pdf", files.scanned_pdf(), "application/pdf"))
    assert (got.kind, got.text, got.needs_ocr) == ("pdf", "", True)
    assert got.note.startswith("needs_ocr")


@pytest.mark.parametrize("url, ctype, kind", [
    ("http://x.test/a.doc", "application/msword", "doc"),
    ("http://x.test/module/download/downfile.jsp?classid=0&filename=1.wps", "application/octet-stream", "wps"),
])
def test_doc_and_wps_are_stored_not_extracted(url, ctype, kind):
    got = A.extract_file(part(url, files.ole_blob("x"), ctype))
    assert (got.kind, got.text, got.needs_ocr) == (kind, "", False)
    assert got.note.startswith("stored, not extracted:") and "PyPI" in got.note


def test_ofd_text_is_read_from_its_xml():
    content = ('<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content>'
               '<ofd:Layer><ofd:TextObject ID="1"><ofd:TextCode X="0" Y="10">一、基本情况</ofd:TextCode></ofd:TextObject>'
               '<ofd:TextObject ID="2"><ofd:TextCode X="0" Y="20">依法行政</ofd:TextCode>'
               '<ofd:TextCode X="40" Y="20">水平提升。</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        z.writestr("Doc_0/Pages/Page_1/Content.xml", content.replace("一、基本情况", "二、问题").replace("依法行政", "仍有"))
        z.writestr("Doc_0/Pages/Page_0/Content.xml", content)
    got = A.extract_file(part("http://x.test/a.ofd", buf.getvalue(), "application/octet-stream"))
    assert (got.kind, got.text) == ("ofd", "一、基本情况\n依法行政水平提升。\n二、问题\n仍有水平提升。")


@pytest.mark.parametrize("url, ctype, body, kind", [
    ("http://x.test/a.pdf", "application/pdf", b"%PDF-1.4", "pdf"),
    ("http://x.test/download?id=1", "application/octet-stream", b"%PDF-1.7", "pdf"),   # by the bytes
    ("http://x.test/a.bin", None, files.docx(["x"]), "docx"),
    ("http://x.test/a.doc", "application/octet-stream", files.ole_blob("x"), "doc"),
    ("http://x.test/d.jsp?filename=a.wps", "application/octet-stream", files.ole_blob("x"), "wps"),
    ("http://x.test/t2024_1.html", "text/html; charset=utf-8", b"<html>...</html>", None),
])
def test_detect_by_content_type_bytes_and_url(url, ctype, body, kind):
    assert A.detect(part(url, body, ctype)) == kind


def test_links_that_are_attachments():
    assert A.is_attachment_link("http://x.test/zwgk/202403/P020240328612345678901.pdf")
    assert A.is_attachment_link("http://x.test/module/download/downfile.jsp?classid=0&filename=2403.docx")
    assert A.is_attachment_link("http://x.test/getfile?id=9", "附件：建阳区2023年度法治政府建设情况报告")
    assert not A.is_attachment_link("http://x.test/zwgk/202403/t20240328_1.html", "2023年度法治政府建设情况报告")
    # on a detail page: the page's own file, not a neighbour's file in 上一篇/下一篇
    pdf = "http://x.test/zwgk/202103/P020210329401234567890.pdf"
    assert A.is_own_attachment(pdf, "建阳区2020年度报告.pdf", "附件：建阳区2020年度报告.pdf")
    assert A.is_own_attachment(pdf, "建阳区2020年度报告", "附件：建阳区2020年度报告")
    assert not A.is_own_attachment(pdf, "建阳区2020年度报告", "下一篇：建阳区2020年度报告")


def test_stub_pages():
    assert A.is_stub("详见附件。\n附件：建阳区2023年度法治政府建设情况报告.pdf")
    assert A.is_stub("")
    assert not A.is_stub("\n".join(REPORT))
    assert not A.is_stub("本报告全文共分三部分。")  # short, but no pointer to a file


# -- process_page on the sample web's bytes ---------------------------------------------------------
@pytest.fixture(scope="module")
def web():
    return SampleWeb()     # respond() without sockets


def _record(web, urls):
    parts = []
    for u in urls:
        status, headers, body = web.respond("GET", u)
        assert status == 200, u
        parts.append(part(u, body, headers["Content-Type"]))
    return process_page(parts)


def _detail(key_url_end):
    (d,) = [d for d in truth.detail_pages() if d["url"].endswith(key_url_end)]
    return d


def test_stub_page_takes_its_files_text(web):
    for d in [x for x in truth.detail_pages() if x["attachment"] in ("pdf", "docx") and x["url"] != x["attachment_url"]]:
        rec = _record(web, [d["url"], d["attachment_url"]])
        assert rec["is_report"] and rec["title"] == d["title"] and rec["year"] == d["year"]
        assert rec["text"] == normalize_text("\n".join(truth.gold_text(d["url"])))
        assert rec["published"] == d["published"] and rec["sections"]
        assert [p["url"] for p in rec["pages"]] == [d["url"], d["attachment_url"]]


def test_file_listed_on_its_own(web):
    d = _detail("P020210329401234567890.pdf")
    rec = _record(web, [d["url"]])
    rec_titled = process_page([dict(rec["pages"][0], anchor=d["title"] + ".pdf")])
    assert (rec_titled["title"], rec_titled["year"], rec_titled["published"], rec_titled["is_report"]) == \
        (d["title"], 2020, "2021-03-29", True)
    assert rec_titled["text"] == normalize_text("\n".join(truth.gold_text(d["url"])))
    # without the link (re-processing stored pages) the PDF's own /Title gives the same title
    assert (rec["title"], rec["published"], rec["is_report"]) == (d["title"], "2021-03-29", True)


def test_unreadable_files_are_not_reports(web):
    want = {"needs_ocr": "no-text:needs-ocr", "not_extracted": "no-text:attachment-not-extracted"}
    details = {d["url"]: d for d in truth.detail_pages()}
    assert len(truth.unreadable_reports()) == 3
    for url, why in truth.unreadable_reports().items():
        rec = _record(web, [url, details[url]["attachment_url"]])
        assert (rec["is_report"], rec["class_reason"], rec["text"]) == (False, want[why], "")
        assert rec["needs_ocr"] == (why == "needs_ocr")
        note = rec["pages"][1]["extract_note"]
        assert note.startswith("needs_ocr" if why == "needs_ocr" else "stored, not extracted")


# -- the crawl (the session's one crawl of the sample web) ----------------------------------------
def test_crawl_stores_files_as_pages_of_their_report(crawled):
    db = sqlite_utils.Database(crawled["db"])
    files_kinds = truth.attachment_urls()
    rows = {r["url"]: r for r in db.query(
        "SELECT url, part_of, body, needs_ocr, extract_note, is_report, document_id FROM pages")}
    assert set(files_kinds) <= set(rows)
    details = {d["attachment_url"]: d for d in truth.detail_pages() if d["attachment"]}
    for url, kind in files_kinds.items():
        d, row = details[url], rows[url]
        served = SampleWeb().respond("GET", url)[2]
        assert page_body(row["body"]) == served, url       # the raw file, byte for byte
        direct = d["url"] == url
        assert row["part_of"] == (None if direct else d["url"]), url
        assert bool(row["needs_ocr"]) == (kind == "scan"), url
        assert (row["extract_note"] or "").startswith(
            {"scan": "needs_ocr", "doc": "stored, not extracted", "wps": "stored, not extracted"}.get(kind, "\0")) \
            or (row["extract_note"] is None and kind in ("pdf", "docx")), url
    # unreadable reports: kept in pages, never a document
    for url in truth.unreadable_reports():
        assert rows[url]["is_report"] == 0 and rows[url]["document_id"] is None
    assert not list(db.query("SELECT id FROM documents WHERE text = '' OR text IS NULL"))
    src = db.execute("SELECT part_urls FROM sources WHERE url = ?",
                     [_detail("t20240328_6583952.htm")["url"]]).fetchone()
    assert json.loads(src[0])[1].endswith("P020240328612345678901.pdf")


def test_crawl_archives_the_file_reports_with_their_texts(crawled):
    db = sqlite_utils.Database(crawled["db"])
    got = {}
    for doc in db.query("SELECT id, title, text, year, published FROM documents"):
        for (url,) in db.execute("SELECT url FROM sources WHERE document_id = ?", [doc["id"]]):
            got[url] = doc
    for d in truth.detail_pages():
        if d["attachment"] in ("pdf", "docx"):
            doc = got[d["url"]]
            assert (doc["title"], doc["year"]) == (d["title"], d["year"])
            assert doc["text"] == normalize_text("\n".join(truth.gold_text(d["url"])))
    assert got[_detail("P020210329401234567890.pdf")["url"]]["published"] == "2021-03-29"
