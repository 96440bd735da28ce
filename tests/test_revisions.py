"""ArchiveWriter.store with near-duplicate dedup, revisions and the canonical copy (issue 5).

Records are stored into a real SQLite file; texts are the labelled pairs of tests/data/dedup_pairs.jsonl.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from archive.db import open_archive
from archive.schema import SCHEMA_VERSION, TABLES
from archive.writer import DUPLICATE, NEW_REPORT, REVISED, UNCHANGED, ArchiveWriter
from pipelines.dedup import shingle_hashes, similarity
from pipelines.eval_dedup import load_pairs
from pipelines.normalize import normalize_text

DATA = Path(__file__).parent / "data"
NANCHONG = "南充市人民政府"
JIALING = "南充市嘉陵区人民政府"


@pytest.fixture(scope="module")
def pairs():
    return load_pairs(DATA / "dedup_pairs.jsonl")


def pair(pairs, kind, note):
    return next(p for p in pairs if p["kind"] == kind and p["note"].startswith(note))


def record(url, text, issuer=JIALING, year=2021, portal=None, portal_issuer=None, published=None,
           encoding="utf-8", body=None):
    text = normalize_text(text)
    body = body if body is not None else f"<html><body>{url}{len(text)}</body></html>".encode()
    return {
        "url": url, "title": f"{issuer}{year}年法治政府建设年度报告", "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "year": year, "issuer": issuer,
        "published": published, "is_report": True, "class_reason": "title:report", "sections": [],
        "portal": portal or issuer, "portal_issuer": portal_issuer or portal or issuer,
        "pages": [{"url": url, "status": 200, "content_type": "text/html", "encoding": encoding,
                   "body": body, "sha256": hashlib.sha256(body).hexdigest()}],
    }


@pytest.fixture()
def writer(tmp_path):
    w = ArchiveWriter(str(tmp_path / "a.db"))
    yield w
    w.close()


def docs(w):
    return {r["id"]: r for r in w.db.query("SELECT * FROM documents")}


def sources(w):
    return {r["url"]: r for r in w.db.query("SELECT * FROM sources")}


def test_exact_and_near_duplicates_merge(writer, pairs):
    base = pair(pairs, "spam", "jialing_2021_report")["a"]
    assert writer.store(record("http://a/1.html", base)) == NEW_REPORT
    assert writer.store(record("http://b/1.html", base, portal="四川省人民政府")) == DUPLICATE
    for i, kind in enumerate(("first_sentence", "spam", "truncated")):
        p = pair(pairs, kind, "jialing_2021_report")
        assert p["a"] == base
        assert writer.store(record(f"http://c/{i}.html", p["b"], portal="四川省人民政府")) == DUPLICATE, kind
    tp = pair(pairs, "pinyin", "xiangshan_2020_report vs seed003")
    xs = "淮北市相山区人民政府"
    assert writer.store(record("http://x/1.html", tp["a"], xs, 2020)) == NEW_REPORT
    assert writer.store(record("http://x/gate/big5/x/1.html", tp["b"], xs, 2020, encoding="big5")) == DUPLICATE
    assert len(docs(writer)) == 2
    src = sources(writer)
    assert src["http://x/gate/big5/x/1.html"]["converted"] == 1 and src["http://x/1.html"]["converted"] == 0
    assert {s["document_id"] for u, s in src.items() if not u.startswith("http://x/")} == {1}
    assert docs(writer)[1]["n_sources"] == 5 and docs(writer)[1]["text"] == normalize_text(base)
    # every copy stays with its own text as a revision of its URL
    n_rev = writer.db.execute("SELECT count(*) FROM revisions").fetchone()[0]
    assert n_rev == 7
    # re-storing the same text at the same URL changes nothing
    assert writer.store(record("http://c/1.html", pair(pairs, "spam", "jialing_2021_report")["b"])) == UNCHANGED
    assert writer.db.execute("SELECT count(*) FROM revisions").fetchone()[0] == 7


def test_similarity_values(writer, pairs):
    p = pair(pairs, "spam", "jialing_2021_report")
    t = pair(pairs, "truncated", "jialing_2021_report")
    writer.store(record("http://a/1.html", p["a"]))
    writer.store(record("http://a/2.html", p["a"]))
    writer.store(record("http://b/1.html", p["b"]))
    writer.store(record("http://b/2.html", t["b"]))
    src = sources(writer)
    ha = shingle_hashes(p["a"])
    assert src["http://a/1.html"]["similarity"] == src["http://a/2.html"]["similarity"] == 1.0
    assert src["http://b/1.html"]["similarity"] == round(similarity(ha, shingle_hashes(p["b"]))[0], 6)
    assert src["http://b/2.html"]["similarity"] == round(similarity(ha, shingle_hashes(t["b"]))[0], 6)
    assert 0.9 < src["http://b/1.html"]["similarity"] < 1.0 and 0.55 < src["http://b/2.html"]["similarity"] < 0.65


def test_guards_block_merges(writer, pairs):
    p = pair(pairs, "spam", "jialing_2021_report")
    assert writer.store(record("http://a/1.html", p["a"], JIALING, 2021)) == NEW_REPORT
    # the same issuer, another year: a near-identical text is still another report
    assert writer.store(record("http://a/2.html", p["b"], JIALING, 2022)) == NEW_REPORT
    # another government, same year, edited text (J < 0.9): blocked
    trunc = pair(pairs, "truncated", "jialing_2021_report")["b"]
    assert writer.store(record("http://b/1.html", trunc, "台州市椒江区人民政府", 2021)) == NEW_REPORT
    # the year variant of a county's report (same issuer, years differ, much shared text)
    yv = pair(pairs, "year_variant", "jialing_2021_report")
    assert writer.store(record("http://a/3.html", yv["b"], JIALING, 2020)) == NEW_REPORT
    assert len(docs(writer)) == 4


def test_revisions_of_one_url(writer, pairs):
    p = pair(pairs, "first_sentence", "jialing_2021_report")
    url = "http://www.cnjialing.gov.cn/a.html"
    assert writer.store(record(url, p["a"], published="2022-03-01"), crawl_id=None) == NEW_REPORT
    assert writer.store(record(url, p["b"]), crawl_id=None) == REVISED
    d = docs(writer)
    assert list(d) == [1] and d[1]["text"] == normalize_text(p["b"]) and d[1]["canonical_url"] == url
    revs = list(writer.db.query("SELECT * FROM revisions ORDER BY id"))
    assert [r["text"] for r in revs] == [normalize_text(p["a"]), normalize_text(p["b"])]
    assert {r["document_id"] for r in revs} == {1}
    # back to the first version: no new row, its last_seen moves
    rec = record(url, p["a"])
    rec["fetched_at"] = "2030-01-01T00:00:00Z"
    assert writer.store(rec) == REVISED
    revs = list(writer.db.query("SELECT * FROM revisions ORDER BY id"))
    assert len(revs) == 2 and revs[0]["last_seen"] == "2030-01-01T00:00:00Z"
    assert docs(writer)[1]["text"] == normalize_text(p["a"])
    assert sources(writer)[url]["similarity"] == 1.0
    # the URL now serves another report (another year): the source moves, old document kept, not current
    other = pair(pairs, "year_variant", "jialing_2021_report")["b"]
    assert writer.store(record(url, other, JIALING, 2020)) == NEW_REPORT
    d = docs(writer)
    assert (d[1]["n_sources"], d[1]["is_current"]) == (0, 0) and (d[2]["n_sources"], d[2]["is_current"]) == (1, 1)
    assert writer.db.execute("SELECT count(*) FROM revisions WHERE document_id = 1").fetchone()[0] == 2
    # the old report reappears elsewhere: the kept document is current again
    assert writer.store(record("http://b/1.html", p["a"])) == DUPLICATE
    assert docs(writer)[1]["is_current"] == 1


def test_canonical_copy_rule(writer, pairs):
    tp = pair(pairs, "traditional", "jiaojiang_2023_report")
    own, text = "台州市椒江区人民政府", tp["a"]
    spam = pair(pairs, "spam", "jiaojiang_2023_report")["b"]
    trunc = pair(pairs, "truncated", "jiaojiang_2023_report")["b"]
    # a truncated repost first, then the full text on another reposting portal
    writer.store(record("http://repost/1.html", trunc, own, 2023, portal="台州市人民政府"))
    assert docs(writer)[1]["canonical_url"] == "http://repost/1.html"
    writer.store(record("http://repost/2.html", text, own, 2023, portal="台州市人民政府", published="2024-03-05"))
    assert docs(writer)[1]["canonical_url"] == "http://repost/2.html"  # longest text wins among reposts
    # the issuer's own site, through its Traditional gateway: converted loses to the Simplified repost
    writer.store(record("http://www.jiaojiang.gov.cn/gate/big5/www.jiaojiang.gov.cn/1.html", tp["b"], own, 2023))
    assert docs(writer)[1]["canonical_url"] == "http://repost/2.html"
    # the issuer's own site, Simplified, shorter (spam-free, same text) but own: wins over reposts
    writer.store(record("http://www.jiaojiang.gov.cn/1.html", spam, own, 2023))
    d = docs(writer)[1]
    assert d["canonical_url"] == "http://www.jiaojiang.gov.cn/1.html" and d["portal"] == own
    assert d["text"] == normalize_text(spam) and d["n_sources"] == 4
    src = sources(writer)
    assert src["http://www.jiaojiang.gov.cn/1.html"]["similarity"] == 1.0
    assert src["http://repost/2.html"]["similarity"] == round(
        similarity(shingle_hashes(spam), shingle_hashes(text))[0], 6) < 1.0
    sig = writer.db.execute("SELECT text_sha256 FROM dedup_signatures WHERE document_id = 1").fetchone()[0]
    assert sig == d["text_sha256"]


def test_metadata_follows_the_canonical_copy(writer, pairs):
    """A repost archived first must not leave its metadata on the document once the original wins."""
    p = pair(pairs, "spam", "jiaojiang_2023_report")
    own = "台州市椒江区人民政府"
    repost = record("http://repost/1.html", p["b"], own, 2023, portal="台州市人民政府", published="2024-03-06")
    repost["title"], repost["index_no"] = "转载：椒江区2023年度法治政府建设情况的报告", "repost-1"
    original = record("http://www.jiaojiang.gov.cn/1.html", p["a"], own, 2023, published="2024-03-04")
    original["index_no"] = "own-1"
    writer.store(repost)
    writer.store(original)
    d = docs(writer)[1]
    assert d["canonical_url"] == original["url"]
    assert (d["title"], d["published"], d["index_no"]) == (original["title"], "2024-03-04", "own-1")


def test_index_persists_across_writers(tmp_path, pairs):
    path = str(tmp_path / "p.db")
    w1 = ArchiveWriter(path)
    notes = ("jialing_2021_report", "nanchong_2023_report", "xiangshan_2020_report", "jiaojiang_2023_report")
    for i, n in enumerate(notes):
        p = pair(pairs, "spam", n)
        assert w1.store(record(f"http://a/{i}.html", p["a"], p["issuer_a"], p["year_a"])) == NEW_REPORT
    w1.close()
    w2 = ArchiveWriter(path)
    p = pair(pairs, "spam", "xiangshan_2020_report")
    assert w2.store(record("http://b/1.html", p["b"], p["issuer_b"], p["year_b"])) == DUPLICATE
    assert len(w2.dedup) == 4
    assert w2.dedup.stats["loaded"] == 1  # only the one candidate's text was read, no re-hashing of all
    assert sources(w2)["http://b/1.html"]["document_id"] == 3
    w2.close()


def test_v1_archive_migrates_and_keeps_rows(tmp_path, pairs):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "dedup_v1_archive.sql").read_text(encoding="utf-8"))
    conn.close()
    assert sqlite_utils.Database(path).execute("PRAGMA user_version").fetchone()[0] == 1
    w = ArchiveWriter(str(path))
    assert w.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for name, spec in TABLES.items():
        assert set(spec["columns"]) <= set(w.db[name].columns_dict), name
    assert (w.db["documents"].count, w.db["sources"].count, w.db["pages"].count, w.db["crawls"].count) == (1, 2, 3, 1)
    text = w.db.execute("SELECT text FROM documents").fetchone()[0]
    # a near copy of the v1 document is found (its signature and revisions are backfilled)
    assert w.store(record("http://c/1.html", text + "\n【打印本页】【关闭窗口】", NANCHONG, 2023)) == DUPLICATE
    assert w.db.execute("SELECT count(*) FROM revisions").fetchone()[0] == 3
    assert {r["similarity"] for r in w.db.query("SELECT similarity FROM sources WHERE url LIKE '%nanchong%'")} == {1.0}
    assert w.store(record("http://www.nanchong.gov.cn/a.html", text, NANCHONG, 2023)) == UNCHANGED
    w.close()
    open_archive(path).conn.close()  # reopening a migrated archive is a no-op
