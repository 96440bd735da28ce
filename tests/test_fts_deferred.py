"""Deferred full-text indexing (archive/fts.py defer_indexing; issue 11): a record group's new documents
enter the FTS5 index in one statement before its commit, one segment for the group instead of one per
document; every other writer, and every committed state, keeps the index in step as before."""

import sqlite3

import pytest

from archive.db import open_archive
from archive.fts import FTS_OPTIONS, defer_indexing, fts_in_step, index_deferred, search, segment_count
from archive.writer import NEW_REPORT, REVISED, ArchiveWriter
from sampleweb.text import BODIES
from tests.test_archive import record
from tests.test_record_groups import broken

TEXTS = [p.read_text(encoding="utf-8") for p in sorted(BODIES.glob("*.txt")) if "big5" not in p.name][:4]

OLD_TRIGGERS = """
CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER documents_fts_au AFTER UPDATE OF id, title, text ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
"""


def check_in_step(db):
    """The index holds exactly what a rebuild from documents would: every token instance (term,
    document, column, offset) compared with a reference index built from the rows. (FTS5's own
    'integrity-check' does not compare an external-content index with its table in SQLite 3.40.)"""
    conn = db.conn
    assert conn.execute("SELECT count(*) FROM documents_fts_pending").fetchone()[0] == 0
    assert fts_in_step(db)
    with conn:
        conn.execute("CREATE VIRTUAL TABLE ref_fts USING fts5(title, text, content='documents', "
                     "content_rowid='id', tokenize='trigram')")
        conn.execute("INSERT INTO ref_fts(ref_fts) VALUES ('rebuild')")
        conn.execute("CREATE VIRTUAL TABLE temp.got USING fts5vocab(main, documents_fts, instance)")
        conn.execute("CREATE VIRTUAL TABLE temp.want USING fts5vocab(main, ref_fts, instance)")
    instances = {t: sorted(conn.execute(f"SELECT term, doc, col, offset FROM temp.{t}")) for t in ("got", "want")}
    with conn:
        for t in ("temp.got", "temp.want", "ref_fts"):
            conn.execute(f"DROP TABLE {t}")
    assert instances["got"] == instances["want"]


def marked(i):
    return TEXTS[i] + f"\n第{i}号甲乙丙丁标记。"


def test_a_group_is_indexed_at_its_commit_in_one_segment(tmp_path):
    path = str(tmp_path / "a.db")
    w = ArchiveWriter(path)
    w.begin_group()
    for i in range(3):
        assert w.store(record(f"http://a.test/{i}.html", marked(i))) == NEW_REPORT
    assert w.db.execute("SELECT count(*) FROM documents_fts_pending WHERE document_id > 0").fetchone()[0] == 3
    with sqlite3.connect(path) as other:  # the notes never show outside the writer's transaction
        assert other.execute("SELECT count(*) FROM documents_fts_pending").fetchone()[0] == 0
    w.commit_group()
    check_in_step(w.db)
    assert search(w.db, "第1号甲乙丙丁") == [2]
    assert segment_count(w.db.conn) == 1  # immediate indexing wrote one per document

    # a store outside a group indexes at once, as before
    assert w.store(record("http://a.test/3.html", marked(3))) == NEW_REPORT
    check_in_step(w.db)
    assert search(w.db, "第3号甲乙丙丁") == [4]


def test_a_failing_record_and_a_lost_group_index_nothing_of_theirs(tmp_path):
    w = ArchiveWriter(str(tmp_path / "a.db"))
    w.begin_group()
    w.store(record("http://a.test/0.html", marked(0)))
    with pytest.raises(KeyError):
        w.store(broken("http://a.test/bad.html"))
    w.store(record("http://a.test/1.html", marked(1)))
    w.commit_group()
    check_in_step(w.db)
    assert search(w.db, "甲乙丙丁标记") == [2, 1]
    assert search(w.db, "坏记录的正文") == []

    w.begin_group()
    w.store(record("http://a.test/2.html", marked(2)))
    w.db.conn.rollback()  # SQLite rolled the whole group back (disk full, ...)
    w._group_lost = True
    with pytest.raises(sqlite3.OperationalError):
        w.commit_group()
    check_in_step(w.db)
    assert search(w.db, "第2号甲乙丙丁") == []


def test_texts_changed_inside_a_group_are_indexed_as_committed(tmp_path):
    """A revision changes the document's text: in the group that created it (still noted: indexed once,
    with its last text) and in a later group (already indexed: the update trigger re-indexes it)."""
    w = ArchiveWriter(str(tmp_path / "a.db"))
    url = "http://a.test/1.html"
    w.begin_group()
    assert w.store(record(url, marked(0))) == NEW_REPORT
    assert w.store(record(url, marked(0) + "\n新增乙版段落戊己庚。")) == REVISED
    w.commit_group()
    check_in_step(w.db)
    assert search(w.db, "乙版段落戊己庚") == [1]

    w.begin_group()
    w.store(record("http://a.test/2.html", marked(1)))
    assert w.store(record(url, marked(0) + "\n改为丙版段落辛壬癸。")) == REVISED
    w.commit_group()
    check_in_step(w.db)
    assert search(w.db, "丙版段落辛壬癸") == [1]
    assert search(w.db, "乙版段落戊己庚") == []
    assert search(w.db, "第1号甲乙丙丁") == [2]


def test_rows_noted_then_updated_or_deleted_before_indexing(tmp_path):
    db = open_archive(tmp_path / "a.db")
    conn = db.conn
    conn.execute("BEGIN")
    defer_indexing(conn)
    for i, title in ((1, "留下的报告"), (2, "删掉的报告"), (3, "改号的报告")):
        conn.execute("INSERT INTO documents (id, title, text, text_sha256) VALUES (?, ?, ?, ?)",
                     [i, title, marked(i), str(i)])
    conn.execute("UPDATE documents SET title = '改名后的报告' WHERE id = 1")
    conn.execute("DELETE FROM documents WHERE id = 2")
    conn.execute("UPDATE documents SET id = 9 WHERE id = 3")
    index_deferred(conn)
    conn.commit()
    check_in_step(db)
    assert search(db, "改名后") == [1] and search(db, "留下的") == []
    assert search(db, "删掉的") == []
    assert search(db, "第3号甲乙丙丁") == [9]


def test_indexed_rows_changed_or_deleted_during_a_deferral(tmp_path):
    """Rows indexed before the deferral: their indexed values go to documents_fts_stale at their first
    change and leave the index at index_deferred, their current values enter it then; nothing changes
    in the index before that (one segment for the whole group)."""
    db = open_archive(tmp_path / "a.db")
    conn = db.conn
    with conn:
        for i in range(1, 7):
            conn.execute("INSERT INTO documents (id, title, text, text_sha256) VALUES (?, ?, ?, ?)",
                         [i, f"第{i}份报告", marked(i % 4), str(i)])
    check_in_step(db)
    segments = segment_count(conn)
    conn.execute("BEGIN")
    defer_indexing(conn)
    conn.execute("UPDATE documents SET text = text || '改一次子丑寅卯' WHERE id = 1")
    conn.execute("UPDATE documents SET text = text || '改两次辰巳午未' WHERE id = 2")
    conn.execute("UPDATE documents SET title = '第二次改过的标题' WHERE id = 2")
    conn.execute("DELETE FROM documents WHERE id = 3")
    conn.execute("UPDATE documents SET text = text || '先改后删申酉戌亥' WHERE id = 4")
    conn.execute("DELETE FROM documents WHERE id = 4")
    conn.execute("DELETE FROM documents WHERE id = 6")  # the highest id: a new row may take it again
    conn.execute("INSERT INTO documents (title, text, text_sha256) VALUES ('接替的报告', ?, 'n')", [marked(3)])
    conn.execute("UPDATE documents SET id = 9 WHERE id = 5")
    assert segment_count(conn) == segments  # nothing indexed yet
    assert {r[0] for r in conn.execute("SELECT document_id FROM documents_fts_stale")} == {1, 2, 3, 4, 5, 6}
    index_deferred(conn)
    conn.commit()
    check_in_step(db)
    assert conn.execute("SELECT count(*) FROM documents_fts_stale").fetchone()[0] == 0
    assert search(db, "改一次子丑寅卯") == [1] and search(db, "辰巳午未") == [2]
    assert search(db, "第二次改过") == [2] and search(db, "第2份报告") == []
    assert search(db, "第3份报告") == [] and search(db, "申酉戌亥") == [] and search(db, "第4份报告") == []
    new_id = conn.execute("SELECT id FROM documents WHERE title = '接替的报告'").fetchone()[0]
    assert search(db, "接替的报告") == [new_id] and search(db, "第6份报告") == []
    assert search(db, "第5份报告") == [9]


def test_a_rolled_back_deferral_leaves_the_index_as_it_was(tmp_path):
    db = open_archive(tmp_path / "a.db")
    conn = db.conn
    with conn:
        conn.execute("INSERT INTO documents (id, title, text, text_sha256) VALUES (1, '原来的报告', ?, 'a')",
                     [marked(0)])
    conn.execute("BEGIN")
    defer_indexing(conn)
    conn.execute("UPDATE documents SET title = '回滚的标题' WHERE id = 1")
    conn.rollback()
    check_in_step(db)
    assert search(db, "原来的报告") == [1] and search(db, "回滚的") == []


def test_an_archive_with_the_old_triggers_is_migrated_on_open(tmp_path):
    path = tmp_path / "old.db"
    open_archive(path).conn.close()
    c = sqlite3.connect(path)
    c.executescript("DROP TRIGGER documents_fts_ai; DROP TRIGGER documents_fts_ai_later; "
                    "DROP TRIGGER documents_fts_ad; DROP TRIGGER documents_fts_au; "
                    "DROP TABLE documents_fts_pending;"
                    "DELETE FROM documents_fts_config WHERE k = 'automerge';" + OLD_TRIGGERS)
    c.execute("INSERT INTO documents (title, text, text_sha256) VALUES ('旧报告', ?, 'x')", [marked(0)])
    c.commit()
    c.close()

    w = ArchiveWriter(str(path))  # opens (and migrates) it: no rebuild needed, the rows are indexed
    check_in_step(w.db)
    assert "CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents WHEN NOT EXISTS" in w.db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'documents_fts_ai'").fetchone()[0]
    assert automerge(w.db) == str(FTS_OPTIONS["automerge"])
    w.begin_group()
    w.store(record("http://a.test/1.html", marked(1)))
    w.commit_group()
    check_in_step(w.db)
    assert search(w.db, "甲乙丙丁标记") == [2, 1]


def test_the_triggers_of_inserts_only_deferral_are_replaced_on_open(tmp_path):
    """An archive written while only inserts were deferred (its update trigger indexed at once):
    opened, it gets today's triggers and the stale table, and a deferred update keeps it in step."""
    path = tmp_path / "prev.db"
    open_archive(path).conn.close()
    c = sqlite3.connect(path)
    c.executescript(
        "DROP TRIGGER documents_fts_au; DROP TABLE documents_fts_stale;"
        "CREATE TRIGGER documents_fts_au AFTER UPDATE OF id, title, text ON documents BEGIN "
        "INSERT INTO documents_fts(documents_fts, rowid, title, text) SELECT 'delete', old.id, old.title, "
        "old.text WHERE NOT EXISTS (SELECT 1 FROM documents_fts_pending WHERE document_id = old.id); "
        "INSERT INTO documents_fts(rowid, title, text) SELECT new.id, new.title, new.text WHERE NOT EXISTS "
        "(SELECT 1 FROM documents_fts_pending WHERE document_id = old.id); "
        "UPDATE documents_fts_pending SET document_id = new.id WHERE document_id = old.id; END;")
    c.execute("INSERT INTO documents (title, text, text_sha256) VALUES ('以前的报告', ?, 'x')", [marked(0)])
    c.commit()
    c.close()

    db = open_archive(path)
    assert "documents_fts_stale" in db.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'documents_fts_au'").fetchone()[0]
    db.conn.execute("BEGIN")
    defer_indexing(db.conn)
    db.conn.execute("UPDATE documents SET title = '改过的报告' WHERE id = 1")
    index_deferred(db.conn)
    db.conn.commit()
    check_in_step(db)
    assert search(db, "改过的报告") == [1] and search(db, "以前的报告") == []


def automerge(db):
    row = db.execute("SELECT v FROM documents_fts_config WHERE k = 'automerge'").fetchone()
    return row and str(row[0])


def test_fts_options_are_set_on_new_archives_and_kept_when_set(tmp_path):
    db = open_archive(tmp_path / "a.db")
    assert automerge(db) == str(FTS_OPTIONS["automerge"])
    with db.conn:
        db.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('automerge', 2)")
        db.execute("DROP TABLE documents_fts_pending")  # an older archive: migrated on open
    db.conn.close()
    db = open_archive(tmp_path / "a.db")
    assert db["documents_fts_pending"].exists() and automerge(db) == "2"


@pytest.mark.parametrize("migrated", [False, True])
def test_an_earlier_default_fts_option_is_replaced_on_open(tmp_path, migrated):
    """automerge 8 was the default until session 9: an archive carrying it gets today's on its next
    writable open, whether or not its schema needs migrating; a read-only open changes nothing."""
    path = tmp_path / "a.db"
    db = open_archive(path)
    with db.conn:
        db.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('automerge', 8)")
        if migrated:
            db.execute("DROP TABLE documents_fts_pending")
    db.conn.close()
    assert automerge(open_archive(path, readonly=True)) == "8"
    assert automerge(open_archive(path)) == str(FTS_OPTIONS["automerge"]) == "16"
