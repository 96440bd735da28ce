"""pipelines.dedup.SQLiteNearDupIndex: the archive's near-duplicate index with its LSH buckets in
SQLite (dedup_bands), memory bounded by the unflushed tail (issue 11)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from archive.db import open_archive
from archive.writer import DUPLICATE, NEW_REPORT, ArchiveWriter
from pipelines.dedup import NearDupIndex, SQLiteNearDupIndex
from pipelines.eval_dedup import load_pairs
from pipelines.normalize import normalize_text

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def corpus():
    """(id, text, issuer, year) of every distinct text of the labelled pair set."""
    out, seen = [], set()
    for p in load_pairs(DATA / "dedup_pairs.jsonl"):
        for side in ("a", "b"):
            text = normalize_text(p[side])
            if text not in seen:
                seen.add(text)
                out.append((len(out) + 1, text, p[f"issuer_{side}"], p[f"year_{side}"]))
    return out


@pytest.fixture()
def conn(tmp_path):
    db = open_archive(tmp_path / "a.db")
    yield db.conn
    db.conn.close()


def sqlite_index(conn, texts, tail):
    idx = SQLiteNearDupIndex(conn, loader=lambda d: texts[int(d)])
    idx.TAIL = tail
    return idx


def count(conn, table):
    if table == "bands":  # both band tables
        return count(conn, "dedup_bands") + count(conn, "dedup_bands_recent")
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("tail,merge_rows", [(1, 40), (7, 200), (7, 10**9), (1024, 40)])
def test_same_answers_as_the_in_memory_index(conn, corpus, tail, merge_rows):
    texts = {i: t for i, t, _, _ in corpus}
    mem = NearDupIndex(normalized=True)
    disk = sqlite_index(conn, texts, tail)
    disk.MERGE_MIN_ROWS = merge_rows
    got_mem, got_disk = [], []
    for i, text, issuer, year in corpus:
        got_mem.append(mem.add_or_match(str(i), text, issuer, year))
        got_disk.append(disk.add_or_match(i, text, issuer, year))
    assert got_disk == got_mem
    assert sum(map(bool, got_mem)) >= 20  # the pair set's copies were found, not just empty lists
    # every LSH candidate counted, also the tail's that its in-memory prefilter dropped unread
    assert disk.stats["candidates"] == mem.stats["candidates"] > 0
    assert disk.stats["verified"] == mem.stats["verified"] > 0
    for i, text, issuer, year in corpus:
        assert disk.candidates(text) == mem.candidates(text)
        assert disk.query(text, issuer, year) == mem.query(text, issuer, year)
    assert len(disk) == len(corpus)
    if tail < len(corpus):  # most bands went to SQLite, the rest wait in the tail and pending
        assert count(conn, "bands") > 0
        assert count(conn, "dedup_pending") == len(disk._tail_ids) < tail
        # the small table in front was merged into the big one (or never, with a huge threshold)
        assert (disk.stats["merges"] > 0) == (merge_rows < 10**9)
        assert (count(conn, "dedup_bands") > 0) == (merge_rows < 10**9)
    else:
        assert count(conn, "bands") == 0


def test_pending_signatures_survive_a_new_index(conn, corpus):
    """Saved but unflushed signatures (a crash before the bulk band write) are found after a reload."""
    texts = {i: t for i, t, _, _ in corpus}
    first = sqlite_index(conn, texts, tail=1000)
    for i, text, issuer, year in corpus[:10]:
        first.add(i, text, issuer, year)
    assert count(conn, "dedup_pending") == 10 and count(conn, "bands") == 0
    second = sqlite_index(conn, texts, tail=4).load()  # more pending than TAIL: flushed by load
    assert count(conn, "dedup_pending") == 0 and count(conn, "bands") == 10 * second._bands.b
    for i, text, _issuer, _year in corpus[:10]:
        assert str(i) in second.candidates(text)


@pytest.mark.parametrize("tail", [1, 1000])  # bands flushed to SQLite at once, or kept in the tail
def test_changed_and_removed_documents_leave_no_stale_candidate(conn, corpus, tail):
    texts = {i: t for i, t, _, _ in corpus}
    idx = sqlite_index(conn, texts, tail=tail)
    (a, text_a, issuer_a, year_a), (_b, text_b, _, _) = corpus[0], corpus[-1]
    idx.add(a, text_a, issuer_a, year_a)
    assert idx.candidates(text_a) == [str(a)]
    assert idx.query(text_a, issuer_a, year_a) == [(str(a), 1.0)]
    texts[a] = text_b  # document a's canonical text became another text: its old bands stay on disk
    idx.add(a, text_b, issuer_a, year_a)
    assert idx.candidates(text_a) == [] and idx.candidates(text_b) == [str(a)]
    assert idx.query(text_a, issuer_a, year_a) == [] and idx.query(text_b, issuer_a, year_a) == [(str(a), 1.0)]
    assert len(idx._tail_ids) == (1 if tail > 1 else 0)  # the tail holds a document once, as it is now
    with conn:
        conn.execute("DELETE FROM dedup_signatures WHERE document_id = ?", [a])
    idx.remove(str(a))
    assert idx.candidates(text_b) == [] and str(a) not in idx and len(idx) == 0


def test_a_document_leaves_the_middle_of_the_tail_in_place(conn, corpus):
    """Changed and removed documents leave the tail in place (the last row takes the free one): every
    other document keeps its row, adds after it reuse the room, and the candidates are those of an
    index built fresh."""
    texts = {i: t for i, t, _, _ in corpus}
    idx = sqlite_index(conn, texts, tail=64)
    docs = corpus[:8]
    for i, text, issuer, year in docs:
        idx.add(i, text, issuer, year)
    capacity = len(idx._tail_keys)
    first, second = docs[2][0], docs[5][0]
    texts[first] = corpus[-1][1]
    idx.add(first, texts[first], docs[2][2], docs[2][3])  # changed: its row goes, the new one is added
    with conn:
        conn.execute("DELETE FROM dedup_signatures WHERE document_id = ?", [second])
    idx.remove(str(second))
    kept = [d[0] for d in docs if d[0] != second]
    assert sorted(idx._tail_ids) == sorted(kept) and len(idx._tail_keys) == capacity
    fresh = sqlite_index(conn, texts, tail=64)
    fresh._set_tail([])
    for i in kept:
        h, sig = fresh.prepare(texts[i])
        fresh.add_signature(i, sig, len(h))

    def rows(index):
        n = len(index._tail_ids)
        return {d: (index._tail_keys[k].tolist(), index._tail_sigs[k].tolist(), index._tail_sizes[k])
                for k, d in zip(range(n), index._tail_ids)}

    assert rows(idx) == rows(fresh)
    for i, text, _issuer, _year in corpus:
        assert idx.candidates(text) == fresh.candidates(text), i


def test_flush_inside_a_transaction_rolls_back_with_it(conn, corpus):
    texts = {i: t for i, t, _, _ in corpus}
    idx = sqlite_index(conn, texts, tail=2)
    for i, text, issuer, year in corpus[:2]:
        idx.add(i, text, issuer, year)  # two adds: flushed on their own
    assert count(conn, "dedup_pending") == 0
    try:
        with conn:
            for i, text, issuer, year in corpus[2:5]:
                h, sig = idx.prepare(text)
                idx.save_signature(conn, i, sig, len(h), year, issuer, None)
                idx.add_signature(i, sig, len(h), issuer, year)  # in a transaction: no flush yet
            assert count(conn, "dedup_pending") == 3
            idx.flush()  # joins the open transaction
            assert count(conn, "dedup_pending") == 0
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert count(conn, "dedup_pending") == 0 and count(conn, "dedup_signatures") == 2
    assert count(conn, "bands") == 2 * idx._bands.b


def test_archive_without_bands_is_banded_on_load(tmp_path, corpus):
    """An archive written before dedup_bands existed: its signatures are banded once, on load."""
    path = tmp_path / "old.db"
    w = ArchiveWriter(str(path))
    w.dedup.TAIL = 3
    stored = []
    for i, text, issuer, year in corpus[:12]:
        stored.append(w.store(_record(f"http://x/{i}.html", text, issuer, year)))
    w.close()
    db = open_archive(path)
    with db.conn:  # what an older lawgov leaves: signatures only
        db.execute("DROP TABLE dedup_bands")
        db.execute("DROP TABLE dedup_bands_recent")
        db.execute("DROP TABLE dedup_pending")
    db.conn.close()
    w = ArchiveWriter(str(path))
    n_sigs = count(w.db.conn, "dedup_signatures")
    assert count(w.db.conn, "bands") == 0
    idx = w.dedup
    assert count(w.db.conn, "dedup_bands") == n_sigs * idx._bands.b and not idx._tail_ids
    doc_of = dict(w.db.execute("SELECT canonical_url, id FROM documents").fetchall())
    for (i, text, _issuer, _year), outcome in zip(corpus[:12], stored):
        if outcome == NEW_REPORT:
            assert str(doc_of[f"http://x/{i}.html"]) in idx.candidates(text)
    w.close()


def test_writer_finds_copies_across_flushes_and_reopens(tmp_path, corpus):
    """The crawl path: ArchiveWriter.store with bands flushed every 2 reports; a copy stored after
    the originals' bands went to SQLite (and after a reopen) is merged."""
    path = str(tmp_path / "w.db")
    pairs = [p for p in load_pairs(DATA / "dedup_pairs.jsonl") if p["same"]][:6]
    w = ArchiveWriter(str(path))
    w.dedup.TAIL = 2
    for k, p in enumerate(pairs):
        assert w.store(_record(f"http://a/{k}.html", normalize_text(p["a"]), p["issuer_a"], p["year_a"])) \
            in (NEW_REPORT, DUPLICATE)
    flushed = w.dedup.stats["flushed"]
    assert flushed >= 4
    w.close()
    w = ArchiveWriter(str(path))
    for k, p in enumerate(pairs):
        assert w.store(_record(f"http://b/{k}.html", normalize_text(p["b"]), p["issuer_b"], p["year_b"])) == DUPLICATE
    w.close()


def test_signature_round_trip(conn, corpus):
    texts = {i: t for i, t, _, _ in corpus}
    idx = sqlite_index(conn, texts, tail=5)
    i, text, issuer, year = corpus[0]
    idx.add(i, text, issuer, year)
    sig, size = idx.signature(i)
    h, want = idx.prepare(text)
    assert size == len(h) and np.array_equal(sig, want)
    with pytest.raises(KeyError):
        idx.signature(10**6)


def _record(url, text, issuer, year):
    body = f"<html><body>{url}</body></html>".encode()
    return {
        "url": url, "title": f"{issuer}{year}年法治政府建设年度报告", "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "year": year, "issuer": issuer,
        "published": None, "is_report": True, "class_reason": "title:report", "sections": [],
        "portal": issuer, "portal_issuer": issuer,
        "pages": [{"url": url, "status": 200, "content_type": "text/html", "encoding": "utf-8",
                   "body": body, "sha256": hashlib.sha256(body).hexdigest()}],
    }


def test_a_second_index_on_the_same_tables_sees_every_band(conn, corpus):
    """The in-memory key filter is built from the tables on first use, load() or not."""
    texts = {i: t for i, t, _, _ in corpus}
    first = sqlite_index(conn, texts, tail=2)
    for i, text, issuer, year in corpus[:9]:
        first.add(i, text, issuer, year)
    first.flush()
    second = sqlite_index(conn, texts, tail=2)  # no load(): nothing pending, the filter is lazy
    for i, text, _issuer, _year in corpus[:9]:
        assert str(i) in second.candidates(text)
    assert second.stats["lookups"] >= 9
