"""`lawgov serve`: the FTS trigram index and the real Datasette server, over HTTP on loopback."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from archive.db import open_archive
from archive.fts import ensure_fts, search
from archive.writer import NEW_REPORT, ArchiveWriter
from lawgov import serve
from lawgov.cli import main as cli_main
from lawgov.ports import free_port

ROOT = Path(__file__).resolve().parent.parent


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report(n, title, text, *, province, level, year, issuer, issuer_kind, late, sections=()):
    url = f"http://gov.test/{n}.html"
    body = f"<html><h1>{title}</h1>{text}</html>".encode()
    return {
        "url": url, "portal": "p1", "title": title, "text": text,
        "text_sha256": sha256(text.encode()), "year": year, "issuer": issuer,
        "issuer_kind": issuer_kind, "province": province, "level": level,
        "published": f"{year + 1}-0{3 + late}-15", "published_late": late,
        "is_report": True, "class_reason": "title:report",
        "sections": [{"position": i, "level": 1, "number": "一", "heading": h, "text": t}
                     for i, (h, t) in enumerate(sections)],
        "pages": [{"url": url, "status": 200, "content_type": "text/html", "body": body,
                   "sha256": sha256(body)}],
    }


# Titles deliberately avoid the search phrases so the expected hits depend on the texts only.
REPORTS = [
    report(1, "甲县2022年度报告", "甲县全面推进法治政府建设，全年办理行政复议案件12件。",
           province="浙江省", level="county", year=2022, issuer="甲县人民政府",
           issuer_kind="government", late=0, sections=[("一、主要举措", "推进法治政府建设")]),
    report(2, "甲县2023年度报告", "甲县深化法治建设，推进行政复议体制改革。",
           province="浙江省", level="county", year=2023, issuer="甲县人民政府",
           issuer_kind="government", late=1),
    report(3, "江苏省司法厅2023年度报告", "本厅推动法治政府建设示范创建活动。",
           province="江苏省", level="province", year=2023, issuer="江苏省司法厅",
           issuer_kind="department", late=0),
    report(4, "乙市2023年度报告", "乙市坚持依法行政，严格规范公正文明执法。",
           province="浙江省", level="city", year=2023, issuer="乙市人民政府",
           issuer_kind="government", late=1),
]


def build_archive(path: Path) -> dict[int, int]:
    """Store REPORTS; return {report number: document id}."""
    w = ArchiveWriter(str(path))
    ids = {}
    try:
        for n, rec in enumerate(REPORTS, 1):
            assert w.store(rec) == NEW_REPORT
            ids[n] = w.db.execute("SELECT id FROM documents WHERE text_sha256 = ?",
                                  [rec["text_sha256"]]).fetchone()[0]
    finally:
        w.close()
    return ids


# -- the index ------------------------------------------------------------------------------------
def test_fts_stays_in_step_with_documents(tmp_path):
    path = tmp_path / "a.db"
    ids = build_archive(path)
    db = open_archive(path, create=False)
    assert ensure_fts(db) == 4
    assert ensure_fts(db) == 4  # idempotent: existing index is rebuilt, not duplicated
    assert sorted(search(db, "法治政府建设")) == sorted([ids[1], ids[3]])
    db.conn.close()

    # A later crawl writes through the ordinary writer, which knows nothing about FTS: the triggers do it.
    w = ArchiveWriter(str(path))
    new = report(5, "丙县2023年度报告", "丙县加强行政执法监督，推进法治政府建设。", province="浙江省",
                 level="county", year=2023, issuer="丙县人民政府", issuer_kind="government", late=0)
    assert w.store(new) == NEW_REPORT
    db = w.db
    new_id = db.execute("SELECT id FROM documents WHERE title = '丙县2023年度报告'").fetchone()[0]
    assert sorted(search(db, "法治政府建设")) == sorted([ids[1], ids[3], new_id])
    assert search(db, "行政执法监督") == [new_id]

    # Updates of title/text re-index; the writer's bookkeeping updates leave the index alone.
    with db.conn:
        db.execute("UPDATE documents SET text = '丙县推进数字政府建设。' WHERE id = ?", [new_id])
        db.execute("UPDATE documents SET last_seen = 'x' WHERE id = ?", [ids[1]])
    assert search(db, "行政执法监督") == []
    assert search(db, "数字政府") == [new_id]
    assert ids[1] in search(db, "法治政府建设")
    with db.conn:
        db.execute("DELETE FROM sources WHERE document_id = ?", [new_id])
        db.execute("DELETE FROM pages WHERE document_id = ?", [new_id])
        db.execute("DELETE FROM documents WHERE id = ?", [new_id])
    assert search(db, "数字政府") == []
    # The trigram trap, and the scan that covers it.
    assert db.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH '法治'").fetchone()[0] == 0
    assert sorted(search(db, "法治")) == sorted([ids[1], ids[2], ids[3]])
    db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")  # raises if out of step
    w.close()


def test_serve_refuses_missing_and_foreign_files(tmp_path, capsys):
    assert cli_main(["serve", "--db", str(tmp_path / "nope.db")]) == 2
    assert "no such archive" in capsys.readouterr().err
    assert not (tmp_path / "nope.db").exists()
    notes = tmp_path / "notes.db"
    notes.write_text("my notes\n")
    assert cli_main(["serve", "--db", str(notes)]) == 2
    assert "not a SQLite archive" in capsys.readouterr().err
    assert notes.read_text() == "my notes\n"


def test_serve_parser_defaults():
    import argparse

    parser = argparse.ArgumentParser(prog="lawgov")
    serve.add_serve_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", "--db", "x.db"])
    assert (args.db, args.port, args.host, args.func) == ("x.db", 8001, "127.0.0.1", serve.run_serve)
    assert "serve" in parser.format_help()


def test_metadata_is_rekeyed_to_the_database_name():
    meta = serve.metadata_for("/somewhere/lawgov-2024.db")
    assert list(meta["databases"]) == ["lawgov-2024"]
    docs = meta["databases"]["lawgov-2024"]["tables"]["documents"]
    assert docs["facets"] == ["province", "level", "year", "issuer_kind", "published_late"]
    assert (docs["fts_table"], docs["fts_pk"], docs["searchmode"]) == ("documents_fts", "id", "raw")
    assert {"coverage", "late", "per_province_year", "search", "search_short"} <= set(
        meta["databases"]["lawgov-2024"]["queries"])
    assert 'href="/lawgov-2024/search_short"' in meta["description_html"]


# -- the real server ------------------------------------------------------------------------------
def get(base, path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=20) as r:
        body = r.read().decode("utf-8")
    return json.loads(body) if ".json" in path else body


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "lawgov-test.db"
    ids = build_archive(path)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    log = open(tmp_path / "serve.log", "w+")
    # `lawgov serve` checks the archive, runs ensure_fts, then execs Datasette (same pid).
    proc = subprocess.Popen([sys.executable, "-m", "lawgov.cli", "serve", "--db", str(path), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"datasette exited with {proc.returncode}:\n{log.read()}")
            try:
                get(base, "/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail("datasette did not answer within 60 s")
                time.sleep(0.2)
        yield base + "/lawgov-test", ids, path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_datasette_facets_search_and_canned_queries(server):
    base, ids, path = server

    # Facet counts.
    data = get(base, "/documents.json", _facet="province", _size="0")
    counts = {r["value"]: r["count"] for r in data["facet_results"]["province"]["results"]}
    assert counts == {"浙江省": 3, "江苏省": 1}
    late = {r["value"]: r["count"] for r in data["facet_results"]["published_late"]["results"]}
    assert late == {0: 2, 1: 2}  # configured facets come along

    # Full-text search through the table's search box (?_search=), 5 Chinese characters.
    rows = get(base, "/documents.json", _search="法治政府建设", _shape="array", _col="title")
    assert sorted(r["id"] for r in rows) == sorted([ids[1], ids[3]])
    rows = get(base, "/documents.json", _search="行政复议", _shape="array", _col="title")
    assert sorted(r["id"] for r in rows) == sorted([ids[1], ids[2]])

    # The trigram trap: a 2-character query finds nothing through the index...
    assert get(base, "/documents.json", _search="法治", _shape="array") == []
    # ...which is why search_short exists: it scans, and shows where the match is.
    rows = get(base, "/search_short.json", q="法治", _shape="array")
    assert [r["id"] for r in rows] == sorted([ids[1], ids[2], ids[3]])
    assert all("法治" in r["snippet"] for r in rows)
    rows = get(base, "/search_short.json", q="复议", _shape="array")
    assert [r["id"] for r in rows] == sorted([ids[1], ids[2]])

    # The canned FTS query, with snippets.
    rows = get(base, "/search.json", q="行政复议", _shape="array")
    assert sorted(r["id"] for r in rows) == sorted([ids[1], ids[2]])
    assert all("【行政复议】" in r["snippet"] for r in rows)
    assert get(base, "/search.json", q='法治"政府', _shape="array") == []  # quotes cannot break it

    # Coverage: which issuer published which years.
    rows = get(base, "/coverage.json", _shape="array")
    assert [(r["issuer"], r["reports"], r["years"]) for r in rows] == [
        ("江苏省司法厅", 1, "2023"),
        ("乙市人民政府", 1, "2023"),
        ("甲县人民政府", 2, "2022,2023"),
    ]
    rows = get(base, "/late.json", _shape="array")
    assert sorted(r["id"] for r in rows) == sorted([ids[2], ids[4]])
    rows = get(base, "/per_province_year.json", _shape="array")
    assert [(r["province"], r["year"], r["reports"]) for r in rows] == [
        ("江苏省", 2023, 1), ("浙江省", 2022, 1), ("浙江省", 2023, 2)]

    # A document's page links to its sources and sections (foreign keys).
    html = get(base, f"/documents/{ids[1]}")
    assert f"/lawgov-test/sources?document_id={ids[1]}" in html
    assert f"/lawgov-test/sections?document_id={ids[1]}" in html


def test_datasette_is_read_only(server):
    base, ids, path = server
    before = sha256(path.read_bytes())
    dbs = get(base.rsplit("/", 1)[0], "/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in dbs] == [("lawgov-test", False)]

    def post(url, data):
        req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=20)
        return e.value.code

    assert post(base, {"sql": "DELETE FROM documents"}) >= 400
    assert post(base + "/documents", {"title": "x"}) >= 400
    assert post(base + "/-/insert", {"title": "x"}) >= 400  # no write API (Datasette 1.0 only)
    with pytest.raises(urllib.error.HTTPError) as e:
        get(base, ".json", sql="DELETE FROM documents")
    assert e.value.code == 400
    assert get(base, "/documents.json", _size="0")["filtered_table_rows_count"] == 4
    assert sha256(path.read_bytes()) == before
