"""`lawgov reprocess`: re-extraction of a real crawl's stored pages restores what an old rule got wrong.

The crawled archive is copied, then tampered with to look like one written by older, worse rules
(wrong texts, a missed report, a wrongly accepted look-alike, a cross-post split off as its own
document, lost sections, wrong metadata); reprocessing must give back exactly the fresh crawl's data.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3

import pytest

from pipelines.normalize import normalize_text
from sampleweb.truth import gold_text
from tests.conftest import as_older_rows, run_lawgov

SPLIT_URL = "http://www.nanchong.gov.cn.test/zwgk/fdzdgknr/fzzfjsndbg/202403/t20240328_693227.html"
OLD_TEXT = "旧规则提取的正文：页面导航 首页 > 政务公开"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def copy_db(src, dst):
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


def state(db) -> dict:
    """Everything reprocessing derives, keyed by content (document ids may differ)."""
    c = sqlite3.connect(db)
    docs = {r[0]: r[1:] for r in c.execute(
        "SELECT id, text_sha256, text, title, year, issuer, province, published, class_reason, n_sources "
        "FROM documents")}
    out = {
        "documents": sorted(docs.values()),
        "sources": sorted((u, docs[d][0], sim) for u, d, sim in c.execute(
            "SELECT url, document_id, round(similarity, 4) FROM sources")),
        "pages": sorted((u, r, cr, t, docs[d][0] if d else None) for u, r, cr, t, d in c.execute(
            "SELECT url, is_report, class_reason, title, document_id FROM pages")),
        "sections": sorted((docs[d][0], p, lv, n, h, t) for d, p, lv, n, h, t in c.execute(
            "SELECT document_id, position, level, number, heading, text FROM sections")),
        "fts_old": c.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?",
                             ['"旧规则提取"']).fetchone()[0],
    }
    c.close()
    return out


def tamper(db) -> dict:
    """Make the archive look written by older rules; return the ids/urls touched."""
    c = sqlite3.connect(db)
    with c:
        split_doc = c.execute("SELECT document_id FROM sources WHERE url = ?", [SPLIT_URL]).fetchone()[0]
        # 1. a wrong text (and its sections lost) for the report split over three pages
        c.execute("UPDATE documents SET text = ?, text_sha256 = ?, chars = 3 WHERE id = ?",
                  [OLD_TEXT, sha(OLD_TEXT), split_doc])
        c.execute("DELETE FROM sections WHERE document_id = ?", [split_doc])
        # 2. wrong metadata on another single-source report
        meta_doc, meta_url = c.execute(
            "SELECT id, canonical_url FROM documents WHERE n_sources = 1 AND id != ? ORDER BY id LIMIT 1",
            [split_doc]).fetchone()
        c.execute("UPDATE documents SET year = 1999, issuer = '旧机关' WHERE id = ?", [meta_doc])
        # 3. a report the old rules missed: rejected, no document, no source
        missed_doc, missed_url = c.execute(
            "SELECT id, canonical_url FROM documents WHERE n_sources = 1 AND id NOT IN (?, ?) "
            "ORDER BY id DESC LIMIT 1", [split_doc, meta_doc]).fetchone()
        c.execute("DELETE FROM sections WHERE document_id = ?", [missed_doc])
        c.execute("DELETE FROM sources WHERE document_id = ?", [missed_doc])
        c.execute("UPDATE pages SET is_report = 0, class_reason = 'old-rule', document_id = NULL "
                  "WHERE document_id = ?", [missed_doc])
        c.execute("DELETE FROM documents WHERE id = ?", [missed_doc])
        # 4. a look-alike the old rules accepted as a report
        fake_url = c.execute("SELECT url FROM pages WHERE is_report = 0 AND part_of IS NULL "
                             "AND class_reason != 'old-rule' ORDER BY id LIMIT 1").fetchone()[0]
        fake_doc = c.execute(
            "INSERT INTO documents (title, text, text_sha256, n_sources, chars) VALUES ('假报告', ?, ?, 1, 9)",
            ["旧规则提取的假报告正文", sha("旧规则提取的假报告正文")]).lastrowid
        c.execute("INSERT INTO sources (url, document_id) VALUES (?, ?)", [fake_url, fake_doc])
        c.execute("UPDATE pages SET is_report = 1, class_reason = 'old-rule', document_id = ? WHERE url = ?",
                  [fake_doc, fake_url])
        # 5. cross-posts the old rules extracted differently, each split off as its own document:
        #    an exact copy, and the edited repost the near-duplicate index had merged
        strays = {}
        for kind, cond in (("exact", "s.similarity = 1.0"), ("near", "s.similarity < 1.0")):
            shared_doc, cross_url = c.execute(
                "SELECT d.id, s.url FROM documents d JOIN sources s ON s.document_id = d.id "
                f"WHERE d.n_sources = 2 AND s.url != d.canonical_url AND {cond} ORDER BY d.id LIMIT 1").fetchone()
            stray = f"旧规则提取的转载正文({kind})"
            stray_doc = c.execute(
                "INSERT INTO documents (title, text, text_sha256, n_sources, chars) VALUES ('转载', ?, ?, 1, 10)",
                [stray, sha(stray)]).lastrowid
            c.execute("UPDATE sources SET document_id = ? WHERE url = ?", [stray_doc, cross_url])
            c.execute("UPDATE pages SET document_id = ? WHERE url = ?", [stray_doc, cross_url])
            c.execute("UPDATE documents SET n_sources = 1 WHERE id = ?", [shared_doc])
            strays[kind] = (stray_doc, shared_doc)
    c.close()
    return {"split_doc": split_doc, "meta_doc": meta_doc, "missed_url": missed_url,
            "fake_url": fake_url, "fake_doc": fake_doc, "strays": strays}


@pytest.fixture(scope="module")
def runs(crawled, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reprocess")
    fresh = copy_db(crawled["db"], tmp / "fresh.db")
    touched = tamper(copy_db(fresh, tmp / "old.db"))
    out = {"fresh": fresh, "old": tmp / "old.db", "touched": touched, "tampered": state(tmp / "old.db")}
    for jobs in (1, 2):
        db = copy_db(tmp / "old.db", tmp / f"jobs{jobs}.db")
        out[jobs] = run_lawgov("reprocess", "--db", db, "--jobs", jobs)
        out[f"db{jobs}"] = db
    return out


def test_older_zlib_pages_reprocess_the_same(runs, tmp_path):
    """An archive written before pages were stored as zstd keeps its zlib rows; a later crawl adds zstd
    ones: reprocess reads both (archive/pagebody.py)."""
    db = copy_db(runs["old"], tmp_path / "mixed.db")
    assert as_older_rows(db, every=2) >= 20
    proc = run_lawgov("reprocess", "--db", db, "--jobs", 2)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert state(db) == state(runs["fresh"])


def test_reprocess_restores_the_fresh_crawl_exactly(runs):
    assert runs[1].returncode == 0, runs[1].stdout + runs[1].stderr
    assert runs["tampered"] != state(runs["fresh"])
    assert state(runs["db1"]) == state(runs["fresh"])


def test_restored_texts(runs):
    c = sqlite3.connect(runs["db1"])
    text, sha256_, chars = c.execute("SELECT text, text_sha256, chars FROM documents WHERE id = ?",
                                     [runs["touched"]["split_doc"]]).fetchone()
    # all three parts, stitched, as the gold has them (normalized: NFKC punctuation)
    assert text == normalize_text("\n".join(gold_text(SPLIT_URL)))
    assert (sha256_, chars) == (sha(text), len(text))
    assert c.execute("SELECT count(*) FROM sections WHERE document_id = ?",
                     [runs["touched"]["split_doc"]]).fetchone()[0] > 0
    year, issuer = c.execute("SELECT year, issuer FROM documents WHERE id = ?",
                             [runs["touched"]["meta_doc"]]).fetchone()
    assert year != 1999 and issuer != "旧机关"
    # the search index followed: the old text is not found, the restored one is
    fts = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
    assert c.execute(fts, ['"旧规则提取"']).fetchall() == []
    assert [runs["touched"]["split_doc"]] in [[r[0]] for r in c.execute(fts, ['"' + text[:12] + '"'])]


def test_merges_rejections_and_summary(runs):
    t, c, out = runs["touched"], sqlite3.connect(runs["db1"]), runs[1].stdout
    texts = {r[0] for r in c.execute("SELECT text FROM documents")}  # (ids get reused by SQLite)
    assert not any(text.startswith("旧规则提取") for text in texts)
    for stray_doc, shared_doc in t["strays"].values():
        assert c.execute("SELECT n_sources FROM documents WHERE id = ?", [shared_doc]).fetchone()[0] == 2
        assert f"merged document {stray_doc} into {shared_doc}" in out
    assert "documents, text changed     1\n" in out
    assert "pages newly reports         1\n" in out and f"+ report   {t['missed_url']}" in out
    assert "pages newly rejected        1\n" in out and f"- rejected {t['fake_url']}" in out
    assert "articles" in runs[1].stderr  # progress


def test_two_jobs_give_the_same_archive(runs):
    assert runs[2].returncode == 0, runs[2].stdout + runs[2].stderr
    assert state(runs["db2"]) == state(runs["db1"])
    assert runs[2].stdout == runs[1].stdout


def test_second_run_changes_nothing(runs, tmp_path):
    db = copy_db(runs["db1"], tmp_path / "again.db")
    proc = run_lawgov("reprocess", "--db", db)
    assert proc.returncode == 0
    assert "documents, text changed     0\n" in proc.stdout and "documents merged            0\n" in proc.stdout
    assert state(db) == state(runs["db1"])


def test_full_text_index_in_step_after_reprocess(runs):
    """Changed texts, merges and deletions reach the FTS index at each group's end (deferred
    indexing): it holds exactly what a rebuild from the documents would, for 1 and 2 jobs."""
    from archive.db import open_archive
    from tests.test_fts_deferred import check_in_step

    for jobs in (1, 2):
        db = open_archive(runs[f"db{jobs}"])
        check_in_step(db)
        assert db.execute("SELECT count(*) FROM documents_fts_stale").fetchone()[0] == 0
        db.conn.close()


def test_a_failing_group_applies_nothing_and_a_rerun_finishes(runs, tmp_path, monkeypatch):
    """A group is one transaction: an error at its last article leaves the archive exactly as it was
    (search index included); run again, reprocess finishes the job."""
    import lawgov.reprocess as R
    from archive.db import open_archive
    from tests.test_fts_deferred import check_in_step

    db = copy_db(runs["old"], tmp_path / "x.db")
    n_articles = len(R.article_groups(sqlite3.connect(db)))
    monkeypatch.setattr(R, "GROUP", n_articles)  # every article in one group
    calls = []
    apply = R.Reprocessor._apply

    def failing(self, rec):
        calls.append(rec["url"])
        if len(calls) == n_articles:
            raise sqlite3.OperationalError("disk I/O error")
        return apply(self, rec)

    monkeypatch.setattr(R.Reprocessor, "_apply", failing)
    with pytest.raises(sqlite3.OperationalError):
        R.reprocess(str(db), jobs=1, progress=io.StringIO())
    assert len(calls) == n_articles
    assert state(db) == runs["tampered"]
    archive = open_archive(db)
    check_in_step(archive)
    archive.conn.close()

    monkeypatch.setattr(R.Reprocessor, "_apply", apply)
    monkeypatch.setattr(R, "GROUP", 3)
    R.reprocess(str(db), jobs=1, progress=io.StringIO())
    assert state(db) == state(runs["fresh"])


def test_bad_input(tmp_path):
    proc = run_lawgov("reprocess", "--db", tmp_path / "missing.db")
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("missing.db: no such archive")
