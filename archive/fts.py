"""Full-text search over the archive's reports: an FTS5 trigram index on documents(title, text).

Chinese has no spaces between words, so a word tokenizer is useless; the ``trigram`` tokenizer
(SQLite >= 3.34) indexes every run of three characters, which makes any query of three or more
characters a substring search: ``法治政府建设`` or ``行政复议`` find exactly the reports containing them.

The trap: a trigram index cannot answer a query shorter than three characters. ``MATCH '法治'`` returns
no rows at all (not an error), so one- and two-character queries must scan the text instead: the
datasette canned query ``search_short`` does that with ``instr()`` (see datasette-metadata.yaml).

``documents_fts`` is an external-content table (content='documents', content_rowid='id'): it stores
only the index, the text stays in ``documents``. Triggers keep it in step with every insert, delete and
change of title/text, whoever writes (the crawler's ArchiveWriter and `lawgov reprocess` only defer
a group's index changes to the group's commit, see defer_indexing). The update trigger fires only when
title or text change, so the writer's frequent ``last_seen``/``n_sources`` updates do not re-index a
report.
"""

from __future__ import annotations

import sqlite_utils

FTS_TABLE = "documents_fts"
FTS_COLUMNS = ("title", "text")
MIN_FTS_QUERY_CHARS = 3  # trigram: shorter queries match nothing

# Deferred indexing (ArchiveWriter's record groups, lawgov reprocess): FTS5 flushes its pending terms
# into a new segment at every statement end and savepoint, so a document indexed by a trigger costs a
# segment of its own plus the merges that fold it into bigger ones (~half of a report's store CPU; and
# a changed text's 'delete' and insert ~3.7 ms per document in reprocess, against ~1.2 ms in one
# statement). While a writer's open transaction holds the mark row (document_id 0; ids start at 1),
# the triggers only take notes: an inserted or changed row's id in documents_fts_pending, and the
# values the index holds for a changed or deleted row in documents_fts_stale (the first change's old
# values: what was indexed). index_deferred() then removes the stale values and indexes the noted rows'
# current values, in one statement each, before the commit. Both tables are empty in every committed
# state: other connections, and writers that never set the mark, keep the index in step at once.
FTS_PENDING = "documents_fts_pending"
_DEFERRING = "EXISTS (SELECT 1 FROM documents_fts_pending WHERE document_id = 0)"
_NOW = f"NOT {_DEFERRING}"
_NOT_NOTED = "NOT EXISTS (SELECT 1 FROM documents_fts_pending WHERE document_id = old.id)"

_CREATE = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, text,
    content='documents', content_rowid='id',
    tokenize='trigram'
);
CREATE TABLE IF NOT EXISTS documents_fts_pending (document_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS documents_fts_stale (document_id INTEGER PRIMARY KEY, title TEXT, text TEXT);
CREATE TRIGGER IF NOT EXISTS documents_fts_ai AFTER INSERT ON documents WHEN {_NOW} BEGIN
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_ai_later AFTER INSERT ON documents WHEN {_DEFERRING} BEGIN
    INSERT INTO documents_fts_pending(document_id) VALUES (new.id);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_ad AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text WHERE {_NOT_NOTED} AND {_NOW};
    INSERT OR IGNORE INTO documents_fts_stale(document_id, title, text)
        SELECT old.id, old.title, old.text WHERE {_NOT_NOTED} AND {_DEFERRING};
    DELETE FROM documents_fts_pending WHERE document_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_au AFTER UPDATE OF id, title, text ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text WHERE {_NOT_NOTED} AND {_NOW};
    INSERT INTO documents_fts(rowid, title, text)
        SELECT new.id, new.title, new.text WHERE {_NOT_NOTED} AND {_NOW};
    INSERT OR IGNORE INTO documents_fts_stale(document_id, title, text)
        SELECT old.id, old.title, old.text WHERE {_NOT_NOTED} AND {_DEFERRING};
    UPDATE documents_fts_pending SET document_id = new.id WHERE document_id = old.id;
    INSERT OR IGNORE INTO documents_fts_pending(document_id) SELECT new.id WHERE {_DEFERRING};
END;
"""
TRIGGERS = ("documents_fts_ai", "documents_fts_ai_later", "documents_fts_ad", "documents_fts_au")

# FTS5 options kept in the index's config table, set on a new index and on an older archive's when it is
# opened for writing (an option already set, by hand or by a later lawgov, is kept; a value an earlier
# lawgov set by default, FTS_FORMER_DEFAULTS, is replaced). automerge: merge a level's segments once 16
# of them are there: a term is rewritten log16 instead of log4 times as the index grows. 4 -> 8 cut
# indexing CPU 16 % per document over 25k documents (lawgov.bench_store), 8 -> 16 another 13-15 % over
# 20k (2.29 -> 1.95-1.99 ms per document, two runs) and 5.6 % over a 2,000-record crawl (1.691 -> 1.597
# ms per record); a query then reads up to 15 segments per level, which cost the canned search little
# (p95 15.6 -> 17.2 ms and 22.8 -> 23.3 ms on the 20k-document archives; target 100).
FTS_OPTIONS = {"automerge": 16}
FTS_FORMER_DEFAULTS = {"automerge": ("8",)}


def has_fts(db: sqlite_utils.Database) -> bool:
    return db[FTS_TABLE].exists()


def ensure_fts(db: sqlite_utils.Database, *, rebuild: bool = True) -> int:
    """Create the trigram index and its triggers if missing, then rebuild it from ``documents``.

    Rebuilding makes the index right even if rows were written without the triggers (by an older
    lawgov, or by a tool that dropped and recreated the table). Returns the number of documents indexed.
    """
    with db.conn:
        # an archive from before (deferred indexing, or its later form): same names, other bodies
        for name, sql in _triggers(db).items():
            if name in _TRIGGER_SQL and " ".join(sql.split()) != _TRIGGER_SQL[name]:
                db.execute(f"DROP TRIGGER {name}")
        for stmt in _split(_CREATE):
            db.execute(stmt)
        apply_options(db.conn)
        if rebuild:
            db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
            db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
    return db.execute("SELECT count(*) FROM documents").fetchone()[0]


def apply_options(conn) -> None:
    """FTS_OPTIONS where the index has no value, or one an earlier lawgov set by default (the caller
    commits)."""
    have = {k: str(v) for k, v in conn.execute(f"SELECT k, v FROM {FTS_TABLE}_config")}
    for key, value in FTS_OPTIONS.items():
        if key not in have or have[key] in FTS_FORMER_DEFAULTS.get(key, ()):
            set_option(conn, key, value)


def set_option(conn, key: str, value) -> None:
    """Set an FTS5 option (automerge, pgsz ...) of the index; FTS5 keeps it in its config table."""
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES (?, ?)", [key, value])


def fts_in_step(db: sqlite_utils.Database) -> bool:
    """True when the index and its triggers exist and it holds one row per document.

    Cheap (two counts), unlike a rebuild, which on a 100,000-report archive takes many minutes:
    `lawgov serve` rebuilds only when this is false (an index missing, or rows written without
    the triggers, by an older lawgov or another tool).
    """
    if not has_fts(db):
        return False
    if not set(TRIGGERS) <= _triggers(db).keys():
        return False
    indexed = db.execute(f"SELECT count(*), max(id) FROM {FTS_TABLE}_docsize").fetchone()
    stored = db.execute("SELECT count(*), max(id) FROM documents").fetchone()
    return tuple(indexed) == tuple(stored)


def _triggers(db: sqlite_utils.Database) -> dict[str, str]:
    """The triggers on documents: name -> CREATE statement as SQLite stores it."""
    return dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'documents'"))


def defer_indexing(conn) -> None:
    """In the caller's open transaction: documents inserted from now on are indexed by index_deferred()."""
    conn.execute("INSERT OR IGNORE INTO documents_fts_pending(document_id) VALUES (0)")


def index_deferred(conn) -> None:
    """Bring the index in step with the rows changed since defer_indexing() (stale values out, noted
    rows' current values in, one statement each) and end the deferral; call it before the transaction
    commits (nothing may stay noted in a committed state)."""
    conn.execute("INSERT INTO documents_fts(documents_fts, rowid, title, text) "
                 "SELECT 'delete', document_id, title, text FROM documents_fts_stale ORDER BY document_id")
    conn.execute("INSERT INTO documents_fts(rowid, title, text) SELECT d.id, d.title, d.text "
                 "FROM documents_fts_pending p JOIN documents d ON d.id = p.document_id ORDER BY d.id")
    conn.execute("DELETE FROM documents_fts_stale")
    conn.execute("DELETE FROM documents_fts_pending")


def segment_count(conn) -> int:
    """Segments in the FTS5 index: its structure record (rowid 10 of the data table) holds a 4-byte
    cookie (and, from SQLite 3.45, a 4-byte version mark), then the varints nLevel and nSegment
    (fts5_index.c). For tests and benchmarks."""
    blob = conn.execute(f"SELECT block FROM {FTS_TABLE}_data WHERE id = 10").fetchone()[0]
    values, i = [], 8 if blob[4:8] == b"\xff\x00\x00\x01" else 4
    while len(values) < 2:
        v = 0
        while True:
            b, i = blob[i], i + 1
            v = (v << 7) | (b & 0x7F)
            if b < 0x80:
                break
        values.append(v)
    return values[1]


def search(db: sqlite_utils.Database, query: str, limit: int = 100) -> list[int]:
    """Document ids containing ``query`` (a literal substring), most recently archived first
    (not ``ORDER BY rank``: bm25 over every match is what makes a common word slow on a big archive).

    Uses the index for queries of three or more characters and a scan below that (see module doc).
    """
    if not query:
        return []
    if len(query) >= MIN_FTS_QUERY_CHARS:
        phrase = '"' + query.replace('"', '""') + '"'
        rows = db.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? ORDER BY rowid DESC LIMIT ?",
            [phrase, limit],
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT id FROM documents WHERE instr(text, ?) > 0 OR instr(title, ?) > 0 "
            "ORDER BY id LIMIT ?",
            [query, query, limit],
        ).fetchall()
    return [r[0] for r in rows]


def _split(script: str) -> list[str]:
    """Split the DDL above into statements (the trigger bodies hold ';' followed by newlines)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text.endswith(";") and (not text.upper().startswith("CREATE TRIGGER") or text.endswith("END;")):
            out.append(text)
            buf = []
    return out


# each trigger's CREATE statement as SQLite stores it (without IF NOT EXISTS), whitespace folded
_TRIGGER_SQL = {
    stmt.split()[5 if stmt.startswith("CREATE TRIGGER IF NOT EXISTS") else 2]:
        " ".join(stmt.replace("IF NOT EXISTS ", "", 1).split())
    for stmt in _split(_CREATE) if stmt.startswith("CREATE TRIGGER")
}
