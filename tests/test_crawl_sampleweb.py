"""A real crawl of the sample web over HTTP, checked against the sample web's ground truth."""

from __future__ import annotations

import json
import shutil

import pytest
import sqlite_utils

from pipelines.eval_extract import CHROME_MARKERS
from pipelines.normalize import normalize_text
from sampleweb import truth
from tests.conftest import SAMPLE_PORTALS, run_lawgov

SAMPLE_HOSTS = {p["host"] for p in truth.detail_pages()}


def archived(db_path) -> dict[frozenset, dict]:
    """documents keyed by the set of their source URLs"""
    db = sqlite_utils.Database(db_path)
    out = {}
    for doc in db.query("SELECT * FROM documents"):
        urls = frozenset(r[0] for r in db.execute("SELECT url FROM sources WHERE document_id = ?", [doc["id"]]))
        out[urls] = doc
    return out


def table_counts(db_path) -> dict[str, int]:
    db = sqlite_utils.Database(db_path)
    return {t: db[t].count for t in ("documents", "sources", "pages")}


def assert_archives_exactly_the_reports(db_path) -> dict[frozenset, dict]:
    """The archive holds every expected report once, with exactly its URLs, its title and year, and
    the report body exactly (normalized) as its text; returns the documents (see ``archived``)."""
    expected = truth.expected_reports()
    docs = archived(db_path)
    assert set(docs) == {frozenset(v["urls"]) for v in expected.values()}
    for key, want in expected.items():
        doc = docs[frozenset(want["urls"])]
        assert (doc["title"], doc["year"]) == (want["title"], want["year"]), key
        for url in want["urls"] - truth.edited_reposts():  # an edited repost is a near copy
            assert doc["text"] == normalize_text("\n".join(truth.gold_text(url))), (key, url)
    return docs


def test_archives_exactly_the_reports_with_exact_texts(crawled):
    """Every archived text is the report body exactly (normalized), none of the page chrome."""
    docs = assert_archives_exactly_the_reports(crawled["db"])
    for urls, doc in docs.items():
        assert not [m for m in CHROME_MARKERS if m in doc["text"]], urls


def test_edited_repost_merges_as_a_near_copy(crawled):
    """A repost with its own first sentence and an injected spam line joins its original's document,
    whose text stays the original's; its source row keeps its similarity below 1."""
    db = sqlite_utils.Database(crawled["db"])
    edited = truth.edited_reposts()
    assert edited
    for url in edited:
        doc_id, similarity = db.execute(
            "SELECT document_id, similarity FROM sources WHERE url = ?", [url]).fetchone()
        text, canonical = db.execute(
            "SELECT text, canonical_url FROM documents WHERE id = ?", [doc_id]).fetchone()
        assert canonical not in edited
        assert text == normalize_text("\n".join(truth.gold_text(canonical)))
        assert 0.9 <= similarity < 1.0
        assert "微信公众号" not in text and "微信公众号" in "".join(truth.gold_text(url))


def test_cross_posts_are_one_document_with_every_url(crawled):
    docs = archived(crawled["db"])
    multi = {urls for urls in docs if len(urls) > 1}
    # the 嘉陵区 report on the county portal and on the city portal
    assert frozenset(truth.expected_reports()["jialing-2021"]["urls"]) in multi
    assert len(multi) == sum(1 for v in truth.expected_reports().values() if len(v["urls"]) > 1) == 4
    db = sqlite_utils.Database(crawled["db"])
    assert {r["n_sources"] for r in db.query("SELECT n_sources FROM documents")} <= {1, 2}


def test_lookalikes_are_rejected_and_kept_with_their_reason(crawled):
    db = sqlite_utils.Database(crawled["db"])
    lookalike_urls = {p["url"] for p in truth.detail_pages() if not p["is_report"]}
    archived_urls = {r[0] for r in db.execute("SELECT url FROM sources")}
    assert not archived_urls & lookalike_urls
    rejected = {r["url"]: r["class_reason"] for r in db.query(
        "SELECT url, class_reason FROM pages WHERE is_report = 0 AND part_of IS NULL")}
    tempting = {p["url"] for p in truth.detail_pages()
                if not p["is_report"] and ("法治" in p["title"] or "报告" in p["title"])}
    assert tempting and tempting <= set(rejected)
    assert all(reason and reason.startswith(("title:", "body:", "no-")) for reason in rejected.values())


def test_split_article_is_stitched_whole(crawled):
    db = sqlite_utils.Database(crawled["db"])
    split = [p for p in truth.detail_pages() if len(p["part_urls"]) > 1]
    assert split
    for page in split:
        src = db.execute("SELECT document_id, part_urls FROM sources WHERE url = ?", [page["url"]]).fetchone()
        assert json.loads(src[1]) == page["part_urls"]
        text = db.execute("SELECT text FROM documents WHERE id = ?", [src[0]]).fetchone()[0]
        assert text == normalize_text("\n".join(truth.gold_text(page["url"])))
        parts = {r[0] for r in db.execute("SELECT url FROM pages WHERE part_of = ?", [page["url"]])}
        assert parts == set(page["part_urls"][1:])


def test_stays_on_sample_hosts_and_obeys_robots(crawled):
    hosts = {host for _, host, _ in crawled["requests"]}
    assert hosts <= SAMPLE_HOSTS
    fetched = {f"http://{host}{path}" for _, host, path in crawled["requests"]}
    assert not fetched & set(truth.forbidden_urls())
    assert any(path == "/robots.txt" for _, _, path in crawled["requests"])


def test_every_report_page_fetched_once(crawled):
    gets = [(h, p) for m, h, p in crawled["requests"] if m == "GET"]
    assert len(gets) == len(set(gets))


def test_summary_and_crawl_row(crawled):
    out = crawled["proc"].stdout
    assert "reports archived" in out and "duplicates merged" in out
    db = sqlite_utils.Database(crawled["db"])
    row = list(db.query("SELECT * FROM crawls"))[-1]
    n_reports = len(truth.expected_reports())
    n_urls = sum(len(v["urls"]) for v in truth.expected_reports().values())
    assert (row["status"], row["reports_archived"], row["duplicates_merged"], row["errors"]) == \
        ("ok", n_reports, n_urls - n_reports, 0)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_rerun_adds_no_rows(crawled, proxy, tmp_path):
    db = tmp_path / "again.db"
    shutil.copy(crawled["db"], db)
    before = table_counts(db)
    proc = run_lawgov("crawl", "--portals", SAMPLE_PORTALS, "--db", db, "--proxy", proxy, "--fast")
    assert proc.returncode == 0, proc.stderr
    assert table_counts(db) == before
    assert archived(db).keys() == archived(crawled["db"]).keys()
    last = list(sqlite_utils.Database(db).query("SELECT * FROM crawls ORDER BY id DESC LIMIT 1"))[0]
    assert (last["reports_archived"], last["duplicates_merged"]) == (0, 0)


def test_stats_command(crawled):
    proc = run_lawgov("stats", "--db", crawled["db"], "--json")
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout)
    assert stats["documents"] == len(truth.expected_reports())
    assert stats["crawls"] >= 1


@pytest.mark.parametrize("content, fragment", [
    ("- name: x\n  start_urls: [www.example.gov.cn]\n", "entry 1 (x): start_urls[0]"),
    ("- name: x\n", "entry 1 (x): start_urls"),
    ("portals: [unclosed\n", "not valid YAML"),
])
def test_bad_portal_file_fails_before_any_request(sample_web, proxy, tmp_path, content, fragment):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    before = len(sample_web.requests)
    proc = run_lawgov("crawl", "--portals", bad, "--db", tmp_path / "a.db", "--proxy", proxy)
    assert proc.returncode == 2
    assert fragment in proc.stderr and str(bad) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert len(sample_web.requests) == before
    assert not (tmp_path / "a.db").exists()


def test_foreign_archive_is_refused(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("not a database")
    proc = run_lawgov("stats", "--db", notes)
    assert proc.returncode == 2 and "not a SQLite archive" in proc.stderr
    proc = run_lawgov("crawl", "--portals", SAMPLE_PORTALS, "--db", notes)
    assert proc.returncode == 2 and "not a SQLite archive" in proc.stderr
    assert notes.read_text() == "not a database"


def test_documents_are_tied_to_their_government(crawled):
    """Region, level and lateness on every archived report, from issuer names and the registry."""
    docs = archived(crawled["db"])
    by_key = {key: docs[frozenset(v["urls"])] for key, v in truth.expected_reports().items()}
    assert {k: (d["region_code"], d["level"], d["issuer_kind"]) for k, d in by_key.items()
            if k in ("jialing-2021", "nanchong-sfj-2023", "haimen-2022", "taizhou-2023")} == {
        "jialing-2021": ("511304", "county", "government"),
        "nanchong-sfj-2023": ("511300", "city", "department"),
        "haimen-2022": ("331002", "township", "street-township"),
        "taizhou-2023": ("331000", "city", "government"),
    }
    assert all(d["province"] for d in by_key.values())
    late = {k for k, d in by_key.items() if d["published_late"]}
    want = {k for k, d in by_key.items() if d["published"] > f"{d['year'] + 1}-04-01"}
    assert late == want == {"tielingxian-2021"}


def test_sections_of_each_report(crawled):
    db = sqlite_utils.Database(crawled["db"])
    counts = dict(db.execute("SELECT document_id, count(*) FROM sections GROUP BY document_id").fetchall())
    assert set(counts) == {d["id"] for d in archived(crawled["db"]).values()}
    headings = {r[0] for r in db.execute("SELECT heading FROM sections WHERE level = 1")}
    assert {"存在的问题", "下一步工作打算", "存在的不足和原因"} <= headings


def test_crawl_row_counts_unread_files_apart_from_lookalikes(crawled):
    """Report files that could not be read (scan: needs OCR; DOC/WPS) are neither reports nor
    look-alikes in the crawl's figures."""
    db = sqlite_utils.Database(crawled["db"])
    row = next(db.query("SELECT * FROM crawls ORDER BY id DESC LIMIT 1"))
    assert row["files_unread"] == len(truth.unreadable_reports()) == 3
    rejected = db.execute("SELECT count(*) FROM pages WHERE part_of IS NULL AND is_report = 0 "
                          "AND class_reason NOT LIKE 'no-text:%'").fetchone()[0]
    assert row["lookalikes_rejected"] == rejected
    assert row["detail_pages"] == (row["reports_archived"] + row["duplicates_merged"]
                                   + row["lookalikes_rejected"] + row["files_unread"])
    assert "report files not read" in crawled["proc"].stdout
