"""The archive writer: one document per distinct text, one source per URL, no duplicate rows."""

import sqlite3

import pytest

from archive.db import ArchiveError, open_archive
from archive.pagebody import ZSTD_MAGIC, page_body
from archive.schema import SCHEMA_VERSION
from archive.writer import DUPLICATE, LOOKALIKE, NEW_REPORT, UNCHANGED, ArchiveWriter
import hashlib


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def record(url, text, *, is_report=True, title="某县2023年度法治政府建设情况报告", body=None, portal="p1"):
    body = body if body is not None else f"<html>{text}</html>".encode()
    return {
        "url": url, "portal": portal, "title": title, "text": text,
        "text_sha256": sha256(text.encode()), "year": 2023, "issuer": "某县人民政府",
        "published": "2024-03-01", "is_report": is_report,
        "class_reason": "title:report" if is_report else "title:lookalike",
        "pages": [{"url": url, "status": 200, "content_type": "text/html", "body": body,
                   "sha256": sha256(body)}],
    }


def test_outcomes_and_no_duplicate_rows(tmp_path):
    w = ArchiveWriter(str(tmp_path / "a.db"))
    assert w.store(record("http://a.test/1.html", "正文一")) == NEW_REPORT
    assert w.store(record("http://b.test/9.html", "正文一", portal="p2")) == DUPLICATE
    assert w.store(record("http://a.test/1.html", "正文一")) == UNCHANGED
    assert w.store(record("http://a.test/2.html", "信息公开", is_report=False)) == LOOKALIKE
    assert w.store(record("http://a.test/2.html", "信息公开", is_report=False)) == LOOKALIKE
    db = w.db
    assert db["documents"].count == 1
    doc = next(db["documents"].rows)
    assert doc["n_sources"] == 2 and doc["canonical_url"] == "http://a.test/1.html"
    assert sorted(r["url"] for r in db["sources"].rows) == ["http://a.test/1.html", "http://b.test/9.html"]
    pages = list(db["pages"].rows)
    assert len(pages) == 3
    rejected = [p for p in pages if not p["is_report"]]
    assert [p["class_reason"] for p in rejected] == ["title:lookalike"]
    assert pages[0]["body"][:4] == ZSTD_MAGIC  # archive/pagebody.py
    assert page_body(pages[0]["body"]) == "<html>正文一</html>".encode()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_changed_text_at_same_url_moves_the_source(tmp_path):
    w = ArchiveWriter(str(tmp_path / "a.db"))
    w.store(record("http://a.test/1.html", "旧正文"))
    assert w.store(record("http://a.test/1.html", "新正文")) == NEW_REPORT
    srcs = list(w.db["sources"].rows)
    assert len(srcs) == 1
    new_doc = w.db.execute("SELECT id FROM documents WHERE text = '新正文'").fetchone()[0]
    assert srcs[0]["document_id"] == new_doc
    counts = dict(w.db.execute("SELECT text, n_sources FROM documents").fetchall())
    assert counts == {"旧正文": 0, "新正文": 1}
    assert w.db["pages"].count == 2  # both versions of the raw page are kept


def test_foreign_file_is_refused(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database\n")
    with pytest.raises(ArchiveError, match="not a SQLite archive"):
        open_archive(bad)
    assert bad.read_text() == "these are my notes, not a database\n"  # untouched


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ArchiveError, match="newer than this lawgov supports"):
        open_archive(path)


def test_crawl_rows(tmp_path):
    w = ArchiveWriter(str(tmp_path / "a.db"))
    cid = w.start_crawl("portals.yaml", 3)
    w.finish_crawl(cid, "ok", {"pages_fetched": 10, "reports_archived": 2}, {"x": 1}, 1.5)
    row = w.db["crawls"].get(cid)
    assert (row["status"], row["portals"], row["pages_fetched"], row["reports_archived"]) == ("ok", 3, 10, 2)
    assert row["finished_at"] and row["elapsed_s"] == 1.5


def test_old_layout_at_same_version_is_migrated_text_last(tmp_path):
    """An archive written earlier at the same user_version: text in the middle of documents, a
    column added by ALTER TABLE after it, a declared column and table missing. Opening it moves
    text last, adds what is missing, and keeps the FTS index, its triggers and the foreign keys."""
    from archive.fts import fts_in_step, search

    path = tmp_path / "old.db"
    c = sqlite3.connect(path)
    c.executescript("""
        CREATE TABLE documents (id INTEGER PRIMARY KEY, title TEXT, text TEXT NOT NULL,
                                text_sha256 TEXT NOT NULL, year INTEGER);
        ALTER TABLE documents ADD COLUMN issuer TEXT;
        CREATE UNIQUE INDEX idx_documents_text_sha256 ON documents(text_sha256);
        CREATE TABLE sections (id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL
                               REFERENCES documents(id), position INTEGER, heading TEXT, text TEXT);
    """)
    c.execute("INSERT INTO documents VALUES (7, '某县2023年度法治政府建设报告', '全面推进行政复议工作', 'a', 2023, '某县人民政府')")
    c.execute("INSERT INTO sections (document_id, position, heading, text) VALUES (7, 0, '一、', 'x')")
    c.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    c.commit()
    c.close()

    db = open_archive(path)
    columns = [r[1] for r in db.execute("PRAGMA table_info(documents)")]
    assert columns[-1] == "text" and columns[:3] == ["id", "title", "text_sha256"]
    assert "is_current" in columns and db["dedup_signatures"].exists()
    assert fts_in_step(db) and search(db, "行政复议") == [7]
    assert db.execute("SELECT title, issuer, year FROM documents").fetchall() == [
        ("某县2023年度法治政府建设报告", "某县人民政府", 2023)]
    with db.conn:  # the recreated update trigger re-indexes a changed text
        db.execute("UPDATE documents SET text = '严格规范公正文明执法' WHERE id = 7")
    assert search(db, "行政复议") == [] and search(db, "公正文明") == [7]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db["sections"].foreign_keys[0].other_table == "documents"
    with pytest.raises(sqlite3.IntegrityError):  # not null survived the rebuild
        db.execute("INSERT INTO documents (id, text_sha256) VALUES (8, 'b')")
    db.conn.close()
    # now current: a second open changes nothing
    db = open_archive(path)
    assert [r[1] for r in db.execute("PRAGMA table_info(documents)")] == columns
