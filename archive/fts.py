"""Full-text search over the archive's reports: an FTS5 trigram index on documents(title, text).

Chinese has no spaces between words, so a word tokenizer is useless; the ``trigram`` tokenizer
(SQLite >= 3.34) indexes every run of three characters, which makes any query of three or more
characters a substring search: ``法治政府建设`` or ``行政复议`` find exactly the reports containing them.

The trap: a trigram index cannot answer a query shorter than three characters. ``MATCH '法治'`` returns
no rows at all (not an error), so one- and two-character queries must scan the text instead: the
datasette canned query ``search_short`` does that with ``instr()`` (see datasette-metadata.yaml).

``documents_fts`` is an external-content table (content='documents', content_rowid='id'): it stores
only the index, the text stays in ``documents``. Triggers keep it in step with every insert, delete and
change of title/text, whoever writes (the crawler's ArchiveWriter knows nothing about it). The update
trigger fires only when title or text change, so the writer's frequent ``last_seen``/``n_sources``
updates do not re-index a report.
"""

from __future__ import annotations

import sqlite_utils

FTS_TABLE = "documents_fts"
FTS_COLUMNS = ("title", "text")
MIN_FTS_QUERY_CHARS = 3  # trigram: shorter queries match nothing

_CREATE = """
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, text,
    content='documents', content_rowid='id',
    tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS documents_fts_ai AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_ad AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_au AFTER UPDATE OF id, title, text ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
"""


def has_fts(db: sqlite_utils.Database) -> bool:
    return db[FTS_TABLE].exists()


def ensure_fts(db: sqlite_utils.Database, *, rebuild: bool = True) -> int:
    """Create the trigram index and its triggers if missing, then rebuild it from ``documents``.

    Rebuilding makes the index right even if rows were written without the triggers (by an older
    lawgov, or by a tool that dropped and recreated the table). Returns the number of documents indexed.
    """
    with db.conn:
        for stmt in _split(_CREATE):
            db.execute(stmt)
        if rebuild:
            db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
            db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
    return db.execute("SELECT count(*) FROM documents").fetchone()[0]


def fts_in_step(db: sqlite_utils.Database) -> bool:
    """True when the index and its three triggers exist and it holds one row per document.

    Cheap (two counts), unlike a rebuild, which on a 100,000-report archive takes many minutes:
    `lawgov serve` rebuilds only when this is false (an index missing, or rows written without
    the triggers, by an older lawgov or another tool).
    """
    if not has_fts(db):
        return False
    triggers = {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'documents'")}
    if not {"documents_fts_ai", "documents_fts_ad", "documents_fts_au"} <= triggers:
        return False
    indexed = db.execute(f"SELECT count(*), max(id) FROM {FTS_TABLE}_docsize").fetchone()
    stored = db.execute("SELECT count(*), max(id) FROM documents").fetchone()
    return tuple(indexed) == tuple(stored)


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
