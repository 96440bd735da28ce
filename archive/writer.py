"""The one writer of the archive: every change goes through here, one transaction per record."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed

from archive.db import open_archive
from archive.fts import defer_indexing, index_deferred
from archive.pagebody import compress_page
from pipelines.dedup import (
    NearDupIndex, SQLiteNearDupIndex, canonical_order, clean_lengths, guard_blocks, is_converted,
    joined_transaction, pair_score, shingle_hashes, similarity,
)
from pipelines.sections import split_sections

# Outcomes of ArchiveWriter.store(), also the crawl counters they feed.
NEW_REPORT = "new_report"  # a report never seen before: a new document
DUPLICATE = "duplicate"  # an archived report (exact or near copy) at a new URL, or a known URL whose
#                          text is now another archived report's: merged as another source
UNCHANGED = "unchanged"  # a report URL fetched again with the same text
LOOKALIKE = "lookalike"  # not a report: kept in pages with its class_reason only
UNREAD = "unread"  # a report file whose text could not be read (scan: needs OCR; DOC/WPS): raw kept
REVISED = "revised"  # a known URL serving a changed text of the same report: a new revision

# A known URL's new text is a revision of the report it served when the guards pass and it keeps
# at least this much of the old text (score = max(J, C) of pipelines.dedup); below, the URL now
# serves another report and its source moves. Different reports of one issuer and year score
# <= 0.42 on the pair set (J 0.245, a report vs its 政策解读 C 0.89 but size ratio < 0.5 → J 0.41).
REVISION_MIN_SCORE = 0.5

DOC_FIELDS = (
    "title", "year", "issuer", "issuer_kind", "region_code", "level", "province", "city", "county",
    "published", "published_late", "written", "index_no", "doc_no", "source", "site_name", "column",
    "keywords", "class_reason",
)
SOURCE_FIELDS = (
    "title", "published", "written", "issuer", "index_no", "doc_no", "source", "site_name",
    "column", "keywords",
)


def utcnow() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# Plain SQL on the caller's open transaction: sqlite_utils' insert/update/upsert each run in a
# transaction of their own (or a savepoint of the caller's), which split one record into ~6
# transactions and cost ~1.6 ms of commits per record, plus a schema lookup per call; and FTS5
# writes a segment at every savepoint release.
def insert_row(conn: sqlite3.Connection, table: str, row: dict, upsert_on: str | None = None) -> int:
    """INSERT ``row`` (ON CONFLICT(upsert_on) DO UPDATE when given); returns its rowid."""
    cols = list(row)
    names = ", ".join('"%s"' % c for c in cols)
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'
    if upsert_on:
        sql += f' ON CONFLICT("{upsert_on}") DO UPDATE SET ' + ", ".join(
            '"%s" = excluded."%s"' % (c, c) for c in cols if c != upsert_on)
    return conn.execute(sql, [jsonify_if_needed(row[c]) for c in cols]).lastrowid


def update_row(conn: sqlite3.Connection, table: str, pk: int, row: dict) -> None:
    """UPDATE the columns of ``row`` in the row whose id is ``pk``."""
    cols = list(row)
    assignments = ", ".join('"%s" = ?' % c for c in cols)
    conn.execute(f'UPDATE "{table}" SET {assignments} WHERE id = ?',
                 [*(jsonify_if_needed(row[c]) for c in cols), pk])


SECTION_COLUMNS = ("position", "level", "number", "heading", "text")


def replace_sections(conn: sqlite3.Connection, document_id: int, rows: list[tuple]) -> None:
    """A document's sections become ``rows`` (values in SECTION_COLUMNS order), on the open transaction."""
    conn.execute("DELETE FROM sections WHERE document_id = ?", [document_id])
    marks = ", ".join("?" * (1 + len(SECTION_COLUMNS)))
    conn.executemany(f"INSERT INTO sections (document_id, {', '.join(SECTION_COLUMNS)}) VALUES ({marks})",
                     [(document_id, *row) for row in rows])


class ArchiveWriter:
    """Writes processed pages into the archive.

    A record is the dict made by ``pipelines.process.process_page`` plus ``portal`` and
    ``fetched_at``; its ``pages`` list holds the raw parts (one for most articles).
    """

    # The WAL is copied back into the archive file every this many pages (SQLite's default: 1000). A
    # crawl rewrites the same B-tree and FTS5 pages many times between two checkpoints, and each
    # checkpoint writes them all out again: at 10,000 (a WAL of up to ~40 MB), store CPU per record
    # -4.5 % (median of 10 paired rounds of 2,000 crawl records). Only the writer's connection checkpoints
    # later (and a connection handed to it: reprocess's, also a bulk writer); readers keep SQLite's 1000.
    WAL_AUTOCHECKPOINT = 10000

    def __init__(self, path: str, *, db: sqlite_utils.Database | None = None):
        self.path = path
        self.db = db or open_archive(path)
        self.db.execute(f"PRAGMA wal_autocheckpoint={self.WAL_AUTOCHECKPOINT}")
        self._dedup: NearDupIndex | None = None  # loaded on the first report (see dedup)
        self._index_ops: list[tuple] = []
        self.in_group = False  # begin_group(): records share one transaction until commit_group()
        self._group_lost = False  # SQLite rolled the whole group back (e.g. disk full)

    def close(self) -> None:
        self.db.conn.close()

    # -- crawls ---------------------------------------------------------------------------------
    def start_crawl(self, portals_file: str, n_portals: int) -> int:
        with self.db.conn:
            # A run still 'running' was killed (one crawl per archive at a time: the cron lock).
            self.db.execute("UPDATE crawls SET status = 'interrupted' WHERE status = 'running'")
            return self.db["crawls"].insert(
                {"started_at": utcnow(), "status": "running", "portals_file": portals_file,
                 "portals": n_portals}
            ).last_pk

    def finish_crawl(self, crawl_id: int, status: str, counters: dict, stats: dict, elapsed: float) -> None:
        row = {
            "finished_at": utcnow(),
            "status": status,
            "elapsed_s": round(elapsed, 3),
            "stats_json": json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True),
        }
        for key in ("pages_fetched", "detail_pages", "reports_archived", "lookalikes_rejected",
                    "files_unread", "duplicates_merged", "errors", "not_modified", "skipped_known", "list_changed",
                    "rechecks", "gone", "returned", "revisions_new"):
            row[key] = int(counters.get(key, 0))
        row["errors_by_kind"] = json.dumps(counters.get("errors_by_kind") or {}, sort_keys=True)
        with self.db.conn:
            self.db["crawls"].update(crawl_id, row)

    # -- records --------------------------------------------------------------------------------
    def store(self, record: dict, crawl_id: int | None = None) -> str:
        """Archive one processed record in a single transaction and say what it was.

        Reports: exact match on the normalized text's hash first (any document's canonical text or
        any source's current text), then the same URL's previous version (a revision), then a
        near-duplicate query against the persisted LSH index with the year/issuer guards
        (pipelines.dedup). See docs/CONTRACTS.md for the outcomes and the canonical-copy rule.
        """
        now = record.get("fetched_at") or utcnow()
        self._index_ops = []
        try:
            with self._record_transaction():
                document_id = None
                if record["is_report"]:
                    outcome, document_id = self._store_report(record, now, crawl_id)
                else:
                    outcome = UNREAD if (record.get("class_reason") or "").startswith("no-text:") else LOOKALIKE
                self._store_pages(record, now, crawl_id, document_id)
                self._answered(record["url"], now)  # its source (if any) was checked now: not gone
        except BaseException:
            self._index_ops = []
            self._dedup = None  # the in-memory index may hold rolled-back work: reload it
            raise
        # the LSH's in-memory tail follows the written signatures (in a group, a failed commit
        # drops the index: commit_group)
        for doc_id, sig, size, issuer, year in self._index_ops:
            self.dedup.add_signature(str(doc_id), sig, size, issuer, year)
        self._index_ops = []
        return outcome

    def process_and_store(self, item: dict, portal=None, crawl_id: int | None = None):
        """process_page then store, for a fetched article (LAWGOV_PROCESS_IN_WRITER): the article's
        parts come here and only ``(outcome, title, process_page CPU seconds, error)`` goes back,
        where a worker process would send the whole record back to the crawl and the crawl on here."""
        from pipelines.process import processed_record  # the extraction rules: only where processing runs

        record, cpu_s, error = processed_record(item, portal)
        return self.store(record, crawl_id), record.get("title"), cpu_s, error

    # -- record groups: several records, one commit ---------------------------------------------
    # Each commit of a record costs ~2 ms more than the record's own writes. While records queue up,
    # the writer thread stores them in one group: each record in its own SAVEPOINT (a failing record
    # rolls back alone), one COMMIT for all, and the group's new documents enter the FTS5 index in one
    # statement before it (FTS5 writes a segment at every savepoint: one per document otherwise).
    # Callers hear of a record only after its group committed; a kill loses only uncommitted
    # records, which were never reported stored and are fetched again next run.
    def begin_group(self) -> None:
        self.in_group, self._group_lost = True, False

    def commit_group(self) -> None:
        """Commit the open group; raises (and rolls everything back) when it cannot be committed."""
        self.in_group = False
        conn = self.db.conn
        try:
            if self._group_lost:
                raise sqlite3.OperationalError("the group's transaction was rolled back by SQLite")
            if conn.in_transaction:
                index_deferred(conn)
            conn.commit()
        except BaseException:
            self.rollback_group()
            raise
        if self._dedup is not None:
            self._dedup.flush_if_full()

    def rollback_group(self) -> None:
        """Drop the open group: nothing of it is stored."""
        self.in_group = False
        if self.db.conn.in_transaction:
            self.db.conn.rollback()
        self._dedup = None  # its in-memory tail holds rolled-back work: reload it

    @contextmanager
    def _record_transaction(self):
        """One record's writes: its own transaction, or a savepoint of the open group."""
        conn = self.db.conn
        if not self.in_group:
            with conn:
                yield
            return
        if not conn.in_transaction:
            conn.execute("BEGIN")
            # the group's documents go into full-text search in one segment at commit_group (archive/fts.py)
            defer_indexing(conn)
        conn.execute("SAVEPOINT record")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO record")
                conn.execute("RELEASE record")
            else:
                self._group_lost = True
            raise
        conn.execute("RELEASE record")

    def _store_pages(self, record: dict, now: str, crawl_id: int | None, document_id: int | None) -> None:
        first_url = record["url"]
        for i, page in enumerate(record["pages"]):
            existing = self.db.execute(
                "SELECT id FROM pages WHERE url = ? AND sha256 = ?", [page["url"], page["sha256"]]
            ).fetchone()
            row = {
                "portal": record.get("portal"),
                "status": page.get("status"),
                "content_type": page.get("content_type"),
                "encoding": page.get("encoding"),
                "fetched_at": now,
                "crawl_id": crawl_id,
                "title": record.get("title"),
                "is_report": int(bool(record["is_report"])),
                "class_reason": record.get("class_reason"),
                "document_id": document_id,
                "part_of": first_url if i else None,
            }
            row.update({k: page[k] for k in ("needs_ocr", "extract_note") if page.get(k)})
            # validators for the next run's conditional request, and the date the list showed
            # (crawler/incremental.py); records from elsewhere (tests, tools) may lack them
            row.update({k: page[k] for k in ("etag", "last_modified") if k in page})
            if "list_date" in record:
                row["list_date"] = None if i else record["list_date"]
            if existing:
                self._update("pages", existing[0], row)
            else:
                row.update(
                    url=page["url"],
                    sha256=page["sha256"],
                    size=len(page["body"]),
                    body=compress_page(page["body"]),
                    first_fetched_at=now,
                )
                self._insert("pages", row)

    def _insert(self, table: str, row: dict, upsert_on: str | None = None) -> int:
        return insert_row(self.db.conn, table, row, upsert_on)

    def _update(self, table: str, pk: int, row: dict) -> None:
        update_row(self.db.conn, table, pk, row)

    # -- reports: dedup, revisions, canonical copy (issue 5) --------------------------------------
    @property
    def dedup(self) -> NearDupIndex:
        """The near-duplicate index over ``dedup_signatures`` / ``dedup_bands``, opened on first use
        (no text read, except for documents whose signature is missing or stale)."""
        if getattr(self, "_dedup", None) is None:
            self._dedup = self._load_dedup()
        return self._dedup

    def _load_dedup(self) -> NearDupIndex:
        """The index over the archive's tables (pipelines.dedup.SQLiteNearDupIndex): only the
        signatures not banded yet are read into memory; the rest is queried from SQLite."""
        db = self.db
        idx = SQLiteNearDupIndex(db.conn, loader=self._doc_text, normalized=True)
        # in the caller's transaction when one is open (a record group's savepoint must survive)
        with joined_transaction(db.conn):
            self._backfill_v1()
            db.execute("DELETE FROM dedup_signatures WHERE document_id NOT IN (SELECT id FROM documents)")
            stale = db.execute(
                "SELECT d.id, d.text, d.text_sha256, d.year, d.issuer FROM documents d "
                "LEFT JOIN dedup_signatures s ON s.document_id = d.id WHERE s.document_id IS NULL "
                "OR s.text_sha256 IS NOT d.text_sha256 OR s.year IS NOT d.year OR s.issuer IS NOT d.issuer"
            ).fetchall()
            for doc_id, text, sha, year, issuer in stale:
                h, sig = idx.prepare(text)
                self._save_signature(doc_id, sig, len(h), year, issuer, sha)
            idx.load()
        idx.flush_if_full()
        return idx

    def _backfill_v1(self) -> None:
        """Sources and revisions of an archive written before dedup (schema v1): every source is an
        exact copy of its document, seen once."""
        db = self.db
        db.execute(
            "UPDATE sources SET text_sha256 = (SELECT text_sha256 FROM documents WHERE id = document_id), "
            "chars = (SELECT chars FROM documents WHERE id = document_id), similarity = 1.0, "
            "portal_issuer = portal, converted = (url LIKE '%/gate/big5/%') WHERE text_sha256 IS NULL")
        db.execute(
            "INSERT OR IGNORE INTO revisions (source_url, document_id, text_sha256, text, title, chars, "
            "page_sha256, first_seen, last_seen) SELECT s.url, s.document_id, d.text_sha256, d.text, "
            "s.title, d.chars, s.page_sha256, s.first_seen, s.fetched_at FROM sources s "
            "JOIN documents d ON d.id = s.document_id "
            "WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.source_url = s.url)")
        db.execute("UPDATE documents SET is_current = (n_sources > 0) WHERE is_current IS NULL")

    def _doc_text(self, doc_id) -> str:
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", [int(doc_id)]).fetchone()
        return row[0] if row else ""

    def _save_signature(self, doc_id: int, sig, size: int, year, issuer, sha: str) -> None:
        SQLiteNearDupIndex.save_signature(self.db.conn, doc_id, sig, size, year, issuer, sha)

    def _index_document(self, doc_id: int, sig, size: int, year, issuer, sha: str) -> None:
        """Persist a document's signature now; the in-memory index takes it after commit."""
        self._save_signature(doc_id, sig, size, year, issuer, sha)
        self._index_ops.append((doc_id, sig, size, issuer, year))

    def _score_to(self, h, doc_id: int) -> float:
        """Jaccard similarity of hashed text ``h`` to a document's canonical text (sources.similarity)."""
        ch = self.dedup._candidate_hashes(str(doc_id))  # the LRU of verified candidates, else its text
        if ch is None:
            ch = shingle_hashes(self._doc_text(doc_id), normalized=True)
        return round(similarity(h, ch)[0], 6)

    def _exact_match(self, sha: str) -> tuple[int, float] | None:
        row = self.db.execute("SELECT id FROM documents WHERE text_sha256 = ?", [sha]).fetchone()
        if row:
            return row[0], 1.0
        row = self.db.execute(
            "SELECT document_id, similarity FROM sources WHERE text_sha256 = ? ORDER BY id LIMIT 1", [sha]
        ).fetchone()
        return (row[0], row[1] if row[1] is not None else 1.0) if row else None

    def _revision_of(self, record: dict, h, url: str, prev_sha: str | None, doc_id: int) -> bool:
        """Is the URL's new text another version of the report it served before? Yes unless the
        year/issuer guards block it or it keeps less than REVISION_MIN_SCORE of the old text."""
        doc = self.db.execute("SELECT year, issuer FROM documents WHERE id = ?", [doc_id]).fetchone()
        if doc is None:  # the document was removed by another tool (lawgov reprocess merges)
            return False
        prev = self.db.execute(
            "SELECT text FROM revisions WHERE source_url = ? AND text_sha256 = ?", [url, prev_sha]
        ).fetchone()
        old_text = prev[0] if prev else self._doc_text(doc_id)
        j, c, r = similarity(h, shingle_hashes(old_text, normalized=True))
        if guard_blocks(record.get("issuer"), record.get("year"), doc[1], doc[0], j):
            return False
        return pair_score(j, c, r) >= REVISION_MIN_SCORE

    def _store_report(self, record: dict, now: str, crawl_id: int | None = None) -> tuple[str, int]:
        db = self.db
        url, sha, text = record["url"], record["text_sha256"], record["text"]
        self.dedup  # noqa: B018 -- load (and backfill a v1 archive) before reading sources
        source = db.execute(
            "SELECT s.id, s.document_id, s.text_sha256, s.similarity FROM sources s WHERE s.url = ?", [url]
        ).fetchone()
        old_doc = source[1] if source else None
        h = sig = None
        if source and source[2] == sha:
            document_id, sim, outcome = old_doc, source[3], UNCHANGED
        else:
            hit = self._exact_match(sha)
            document_id, sim = hit if hit else (None, None)
            if document_id is None:
                h, sig = self.dedup.prepare(text)
                if source and self._revision_of(record, h, url, source[2], old_doc):
                    document_id = old_doc
                else:
                    matches = self.dedup.query_prepared(h, sig, record.get("issuer"), record.get("year"))
                    if matches:
                        document_id = int(matches[0][0])
                if document_id is not None:
                    sim = self._score_to(h, document_id)
            if document_id is None:
                outcome = NEW_REPORT
            elif source and document_id == old_doc:
                outcome = REVISED
            else:
                outcome = DUPLICATE

        if document_id is None:
            row = {f: record.get(f) for f in DOC_FIELDS}
            row.update(text=text, text_sha256=sha, canonical_url=url, portal=record.get("portal"),
                       n_sources=0, chars=len(text), first_seen=now, last_seen=now, is_current=1)
            document_id = self._insert("documents", row)
            self._write_sections(document_id, record.get("sections", []))
            self._index_document(document_id, sig, len(h), record.get("year"), record.get("issuer"), sha)
            sim = 1.0
        else:
            db.execute("UPDATE documents SET last_seen = ?, is_current = 1 WHERE id = ?", [now, document_id])

        first = record["pages"][0]
        src = {f: record.get(f) for f in SOURCE_FIELDS}
        src.update(
            document_id=document_id,
            portal=record.get("portal"),
            page_sha256=first["sha256"],
            part_urls=json.dumps([p["url"] for p in record["pages"]]) if len(record["pages"]) > 1 else None,
            fetched_at=now,
            text_sha256=sha,
            chars=len(text),
            converted=int(is_converted(url, first.get("encoding"), first.get("body"))),
            portal_issuer=record.get("portal_issuer") or record.get("portal"),
            similarity=sim,
            doc_meta=json.dumps({f: record.get(f) for f in DOC_FIELDS}, ensure_ascii=False),
        )
        if source is None:
            src.update(url=url, first_seen=now)
            self._insert("sources", src)
        else:
            self._update("sources", source[0], src)
        self._store_revision(record, document_id, now, crawl_id)
        if outcome != UNCHANGED:
            self._choose_canonical(document_id)
        self._refresh_counts({document_id} | ({old_doc} if old_doc else set()))
        if old_doc and old_doc != document_id:
            self._choose_canonical(old_doc)
        return outcome, document_id

    def _store_revision(self, record: dict, document_id: int, now: str, crawl_id: int | None) -> None:
        url, sha = record["url"], record["text_sha256"]
        rev = self.db.execute(
            "SELECT id FROM revisions WHERE source_url = ? AND text_sha256 = ?", [url, sha]).fetchone()
        if rev:
            self.db.execute("UPDATE revisions SET last_seen = ?, document_id = ? WHERE id = ?",
                            [now, document_id, rev[0]])
        else:
            self._insert("revisions", {
                "source_url": url, "document_id": document_id, "text_sha256": sha,
                "text": record["text"], "title": record.get("title"), "chars": len(record["text"]),
                "page_sha256": record["pages"][0]["sha256"], "first_seen": now, "last_seen": now,
                "crawl_id": crawl_id})

    def _write_sections(self, document_id: int, sections: list[dict]) -> None:
        replace_sections(self.db.conn, document_id,
                         [tuple(sec[c] for c in SECTION_COLUMNS) for sec in sections])

    def _choose_canonical(self, doc_id: int) -> None:
        """Apply the canonical-copy rule (pipelines.dedup.canonical_order) to a document's sources;
        when another copy (or another version of the canonical URL) wins, the document takes its
        text, URL and portal, its sections and signature are redone and every source's similarity
        is measured again against the new canonical text."""
        db = self.db
        doc = db.execute(
            "SELECT issuer, year, canonical_url, text_sha256 FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        copies = [
            {"url": r[0], "portal": r[1], "portal_issuer": r[2], "converted": bool(r[3]), "text_len": r[4] or 0,
             "published": r[5], "sha": r[6], "doc_meta": r[7], "issuer": doc[0]}
            for r in db.execute(
                "SELECT url, portal, portal_issuer, converted, chars, published, text_sha256, doc_meta "
                "FROM sources WHERE document_id = ? ORDER BY id", [doc_id])
        ]
        if not copies:
            return
        if len(copies) == 1 and (copies[0]["url"], copies[0]["sha"]) == (doc[2], doc[3]):
            return  # its only copy is already canonical (every new report): no texts to read and clean
        texts = {}
        for c in copies:
            row = db.execute("SELECT text FROM revisions WHERE source_url = ? AND text_sha256 = ?",
                             [c["url"], c["sha"]]).fetchone()
            texts[c["url"]] = row[0] if row else ""
        for c, clean in zip(copies, clean_lengths([texts[c["url"]] for c in copies])):
            c["text_len"] = clean
        best = canonical_order(copies)[0]
        if (best["url"], best["sha"]) == (doc[2], doc[3]) or not texts[best["url"]]:
            return
        text = texts[best["url"]]
        issuer, year = doc[0], doc[1]
        if best["doc_meta"]:  # the document's metadata is the canonical copy's (NULL for copies archived by v1)
            meta = json.loads(best["doc_meta"])
            db.execute(f"UPDATE documents SET {', '.join(f'[{f}] = ?' for f in DOC_FIELDS)} WHERE id = ?",
                       [meta.get(f) for f in DOC_FIELDS] + [doc_id])
            issuer, year = meta.get("issuer"), meta.get("year")
        text_changed = best["sha"] != doc[3]
        if text_changed:
            db.execute("UPDATE documents SET text = ?, text_sha256 = ?, chars = ? WHERE id = ?",
                       [text, best["sha"], len(text), doc_id])
            self._write_sections(doc_id, split_sections(text))
        if text_changed or (issuer, year) != (doc[0], doc[1]):  # the signature or its guard keys changed
            h, sig = self.dedup.prepare(text)
            self._index_document(doc_id, sig, len(h), year, issuer, best["sha"])
        if text_changed:
            for c in copies:
                if c["sha"] == best["sha"]:
                    sim = 1.0
                else:
                    sim = round(similarity(h, shingle_hashes(texts[c["url"]], normalized=True))[0], 6)
                db.execute("UPDATE sources SET similarity = ? WHERE url = ?", [sim, c["url"]])
        db.execute("UPDATE documents SET canonical_url = ?, portal = ? WHERE id = ?",
                   [best["url"], best["portal"], doc_id])

    def _refresh_counts(self, document_ids: set[int]) -> None:
        # a document no source shows any more is kept (history: its revisions) but not current
        for doc_id in document_ids:
            self.db.execute(
                "UPDATE documents SET n_sources = (SELECT count(*) FROM sources WHERE document_id = ?) "
                "WHERE id = ?",
                [doc_id, doc_id],
            )
            self.db.execute("UPDATE documents SET is_current = (n_sources > 0) WHERE id = ?", [doc_id])

    # -- incremental crawl state (crawler/incremental.py) ----------------------------------------
    def mark_not_modified(self, url: str, at: str | None = None) -> bool:
        """A 304 for ``url``: its newest pages row was confirmed now (fetched_at moves, as a refetch of
        identical bytes does). True when the URL had been gone."""
        at = at or utcnow()
        with self.db.conn:
            self.db.execute(
                "UPDATE pages SET fetched_at = ? WHERE id = "
                "(SELECT id FROM pages WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1)",
                [at, url],
            )
            return self._answered(url, at)

    def mark_gone(self, url: str, reason: str, at: str | None = None) -> bool:
        """``url`` answered 404/410 or redirected to a non-article page: set gone_at (first time only;
        the source and its document stay). True when it was not gone before."""
        at = at or utcnow()
        with self.db.conn:
            row = self.db.execute("SELECT id, gone_at FROM sources WHERE url = ?", [url]).fetchone()
            if row is None:
                return True  # a look-alike: nothing but its pages rows, which stay as they are
            self.db.execute(
                "UPDATE sources SET gone_at = coalesce(gone_at, ?), gone_reason = ?, checked_at = ? "
                "WHERE id = ?", [at, reason, at, row[0]],
            )
            return row[1] is None

    def _answered(self, url: str, at: str) -> bool:
        row = self.db.execute("SELECT id, gone_at FROM sources WHERE url = ?", [url]).fetchone()
        if row is None:
            return False
        self.db.execute("UPDATE sources SET checked_at = ?, gone_at = NULL, gone_reason = NULL WHERE id = ?",
                        [at, row[0]])
        return row[1] is not None

    # -- fetch errors (issue 8) -------------------------------------------------------------------
    def record_fetch_error(self, crawl_id: int | None, url: str, portal: str | None, kind: str,
                           detail: str | None = None, at: str | None = None) -> None:
        """A request that failed for good in this crawl: one fetch_errors row, nothing else."""
        with self.db.conn:
            self.db["fetch_errors"].insert(
                {"crawl_id": crawl_id, "url": url, "portal": portal, "kind": kind, "detail": detail,
                 "at": at or utcnow()})
