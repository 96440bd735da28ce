"""`lawgov extract` on every detail page of the sample web: exact title, date and issuer, clean text."""

from __future__ import annotations

import json

import pytest

from lawgov.cli import main
from pipelines.eval_extract import CHROME_MARKERS
from pipelines.normalize import normalize_text, normalize_title
from sampleweb import truth
from sampleweb.server import SampleWeb
from tests.conftest import run_lawgov

WEB = SampleWeb()  # answers in-process (respond), no socket needed to read page bytes
# reports published as files: the page alone is a stub (tests/test_attachments.py covers them)
PAGES = [p for p in truth.detail_pages() if not p["attachment"]]


def saved_page(tmp_path, url: str):
    status, headers, body = WEB.respond("GET", url)
    assert status == 200
    path = tmp_path / "page.html"
    path.write_bytes(body)  # bytes as served: GBK pages stay GBK
    return path


@pytest.mark.parametrize("page", PAGES, ids=[p["url"].split("//")[1] for p in PAGES])
def test_extract_sample_page(page, tmp_path, capsys):
    path = saved_page(tmp_path, page["url"])
    assert main(["extract", str(path), "--url", page["url"], "--compact"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["title"] == normalize_title(page["title"])
    assert out["published"] == page["published"]
    assert out["issuer"] == (normalize_title(page["issuer"]) if page["issuer"] else None)
    assert out["is_report"] is page["is_report"]
    if page["is_report"]:
        assert out["year"] == page["year"]
    gold = normalize_text("\n".join(truth.gold_text(page["url"], part=0 if len(page["part_urls"]) > 1 else None)))
    assert out["text"] == gold
    leaks = [m for m in CHROME_MARKERS if m in out["text"] and m not in gold]
    assert not leaks


def test_extract_command_line(tmp_path):
    page = next(p for p in PAGES if p["family"] == "table")  # the GBK page
    path = saved_page(tmp_path, page["url"])
    proc = run_lawgov("extract", path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["encoding"] == "gb18030" and out["title"] == normalize_title(page["title"])


def test_extract_missing_file(tmp_path):
    proc = run_lawgov("extract", tmp_path / "nope.html")
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("cannot read page (No such file or directory)")
    assert "nope.html" in proc.stderr


@pytest.mark.parametrize("content, problem", [
    (b"", "empty file, not an HTML page"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file, not an HTML page"),
])
def test_extract_refuses_non_html(tmp_path, capsys, content, problem):
    path = tmp_path / "x.html"
    path.write_bytes(content)
    assert main(["extract", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"lawgov extract: error: {path}: {problem}"


def test_extract_utf16_page_is_html(tmp_path, capsys):
    html = '<html><head><meta charset="gb2312"><title>铁岭县2023年度法治政府建设情况报告</title></head><body><div id="zoom"><p>2023年，我县法治政府建设工作取得新进展。</p></div></body></html>'
    path = tmp_path / "u16.html"
    path.write_bytes(b"\xff\xfe" + html.encode("utf-16-le"))
    assert main(["extract", str(path), "--compact"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == "2023年,我县法治政府建设工作取得新进展。" and out["encoding"].startswith("utf-16")
