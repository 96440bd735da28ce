"""Record groups: stores that queue up share one commit, each in its own savepoint (issue 11).

A failing record rolls back alone; nothing of a group is visible (or reported stored) before its
commit; the writer thread groups the stores that wait in its queue and runs any other call after
the group is committed.
"""

import sqlite3

from twisted.python.failure import Failure

from archive.writer import LOOKALIKE, NEW_REPORT, ArchiveWriter
from archive.writer_thread import WriterThread
from sampleweb.text import BODIES
from tests.test_archive import record

TEXTS = [p.read_text(encoding="utf-8") for p in sorted(BODIES.glob("*.txt")) if "big5" not in p.name][:3]


def broken(url):
    """A record that fails half-way through store(): its second page has no body."""
    rec = record(url, "坏记录的正文" * 50)
    rec["pages"].append({"url": url + "?page=2", "sha256": "0" * 64})
    return rec


def counts(path):
    with sqlite3.connect(path) as c:
        return {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("documents", "sources", "pages", "revisions", "dedup_signatures")}


def test_a_failing_record_rolls_back_alone_and_nothing_shows_before_the_commit(tmp_path):
    path = str(tmp_path / "a.db")
    w = ArchiveWriter(path)
    empty = counts(path)
    w.begin_group()
    assert w.store(record("http://a.test/1.html", TEXTS[0])) == NEW_REPORT
    try:
        w.store(broken("http://a.test/bad.html"))
    except KeyError:
        pass
    else:
        raise AssertionError("the broken record was stored")
    assert w.store(record("http://a.test/2.html", TEXTS[1])) == NEW_REPORT
    assert w.store(record("http://a.test/3.html", "信息公开", is_report=False)) == LOOKALIKE
    assert counts(path) == empty  # another connection sees nothing yet
    w.commit_group()
    assert counts(path) == {"documents": 2, "sources": 2, "pages": 3, "revisions": 2, "dedup_signatures": 2}
    assert {r[0] for r in w.db.execute("SELECT url FROM pages")} == {
        "http://a.test/1.html", "http://a.test/2.html", "http://a.test/3.html"}
    # the index still finds what the group stored (a repost of the second text merges)
    w.store(record("http://b.test/9.html", TEXTS[1].replace("\n", "\n\n"), portal="p2"))
    assert counts(path)["documents"] == 2
    assert w.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_writer_thread_groups_queued_stores_and_reports_each_in_order(tmp_path, monkeypatch):
    path = str(tmp_path / "a.db")
    commits = []
    real_commit = ArchiveWriter.commit_group

    def counting_commit(self):
        commits.append(counts(path)["pages"])  # rows visible to others just before this commit
        real_commit(self)

    monkeypatch.setattr(ArchiveWriter, "commit_group", counting_commit)
    wt = WriterThread(path, maxsize=64)
    recs = [record(f"http://a.test/{i}.html", f"第{i}号报告的正文，各不相同。") for i in range(8)]
    recs.insert(4, broken("http://a.test/bad.html"))
    results = []
    # queued before the thread starts: it finds them all waiting
    for rec in recs:
        wt.submit("store", rec).addBoth(lambda r: results.append(type(r).__name__ if isinstance(r, Failure) else r))
    wt.submit("record_fetch_error", None, "http://a.test/x.html", "p1", "http_500").addBoth(
        lambda r: results.append("error recorded"))
    wt.acquire()
    wt.release()  # drains the queue, delivers the results
    assert commits == [0]  # the eight good stores: one commit, nothing visible before it
    assert results[:4] == [NEW_REPORT] * 4 and results[4] == "Failure" and results[5:9] == [NEW_REPORT] * 4
    assert results[9] == "error recorded"
    c = counts(path)
    assert (c["documents"], c["pages"]) == (8, 8)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM fetch_errors").fetchone()[0] == 1
