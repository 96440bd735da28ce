"""`lawgov reprocess`: re-extract every archived page from its stored bytes, after a rule change.

No network: the raw bodies in ``pages`` (archive/pagebody.py) are run through
``pipelines.process.process_page`` again, and the derived data is updated *in place*: documents'
text, metadata, sections and classification, ``pages.is_report/class_reason/title``, and the FTS
index (its triggers follow).
A rule change is not a new revision, so nothing is versioned and ``first_seen``/``fetched_at`` stay.

Processing runs in ``--jobs`` worker processes (each opens the archive read-only and reads its own
bodies); the parent is the one writer, one transaction per GROUP articles, so a crash or Ctrl-C leaves a
consistent archive and a second run finishes the job (reprocessing is idempotent).

Dedup stays true: a report whose new text equals another document's text is merged into it (its
source moves, the emptied document is deleted); a copy or a newly accepted report whose text is a
near copy of a document (the crawl's near-duplicate query, guards included) joins it; a document
shared by cross-posts whose texts now differ is split. Pages newly rejected lose their source;
pages newly accepted gain one.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from archive.fts import defer_indexing, has_fts, index_deferred
from archive.pagebody import page_body
from archive.writer import DOC_FIELDS, SECTION_COLUMNS, SOURCE_FIELDS, insert_row, replace_sections, update_row

PROGRESS_EVERY_S = 2.0
CHUNK = 8  # articles per task sent to a worker: amortizes IPC without starving a core
# Articles applied in one transaction (a kill loses at most this group, redone by the next run). Its
# writes are plain SQL, and its full-text changes are deferred to its end (archive/fts.py): before,
# sqlite_utils committed each write on its own (~6 transactions per article, a crash could leave half
# of one) and FTS5 re-indexed each changed text in its own segment. After a rule change that altered
# every report's text, 2,000 articles, median of 4 alternating runs: 174 -> 260 articles/s on 1
# core, 238 -> 353 on 2 (rules unchanged: 363 -> 400 and 650 -> 746).
GROUP = 64


@dataclass
class Changes:
    articles: int = 0
    texts_changed: list[int] = field(default_factory=list)  # document ids whose text changed
    metadata_changed: int = 0  # documents whose metadata changed (text same)
    newly_reports: list[str] = field(default_factory=list)  # urls now classified report
    newly_rejected: list[str] = field(default_factory=list)  # urls no longer a report
    merged: list[tuple[int, int]] = field(default_factory=list)  # (deleted doc, kept doc)
    created: list[int] = field(default_factory=list)  # documents created (new report or split)
    errors: int = 0


# -- reading the archive ---------------------------------------------------------------------------

def article_groups(conn: sqlite3.Connection) -> list[tuple[int, list[int]]]:
    """One entry per archived article: (first-part page id, ids of every part in order).

    The latest stored version of each URL is used (a URL refetched with new bytes has several rows).
    Parts of a split article are the pages whose ``part_of`` names the first part's URL, in the order
    they were first stored. Ordered by page id, so the URL seen first is processed first.
    """
    latest = {}  # url -> (latest id, first id, part_of)
    for pid, url, part_of in conn.execute("SELECT id, url, part_of FROM pages ORDER BY id"):
        first = latest[url][1] if url in latest else pid
        latest[url] = (pid, first, part_of)
    parts: dict[str, list[tuple[int, int]]] = {}
    firsts = []
    for url, (pid, first, part_of) in latest.items():
        if part_of:
            parts.setdefault(part_of, []).append((first, pid))
        else:
            firsts.append((first, pid, url))
    firsts.sort()
    return [(pid, [pid] + [p for _f, p in sorted(parts.get(url, []))]) for _first, pid, url in firsts]


def load_portals_for(conn: sqlite3.Connection, portals_file: str | None) -> dict:
    """Portal registry entries by name (issuer/region fallbacks), from --portals or the last crawl's file."""
    from crawler.portals import load_portals

    if portals_file is None:
        row = conn.execute("SELECT portals_file FROM crawls WHERE portals_file IS NOT NULL "
                           "ORDER BY id DESC LIMIT 1").fetchone()
        if row is None or not Path(row[0]).is_file():
            return {}
        portals_file = row[0]
    return {p.name: p for p in load_portals(portals_file)}


# -- the workers -----------------------------------------------------------------------------------

_worker_state: dict = {}


def _init_worker(db_path: str, portals: dict) -> None:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    _worker_state.update(conn=conn, portals=portals)


def stored_article(conn, page_ids: list[int]) -> tuple[list[dict], str, str]:
    """One archived article as ``process_page`` takes it: its parts (raw bodies unzipped), in
    ``page_ids`` order; with its portal's name and when its first part was fetched."""
    marks = ",".join("?" * len(page_ids))
    rows = {r[0]: r for r in conn.execute(
        f"SELECT id, url, status, content_type, body, portal, fetched_at FROM pages WHERE id IN ({marks})",
        page_ids)}
    parts = [{"url": rows[i][1], "status": rows[i][2], "content_type": rows[i][3],
              "body": page_body(rows[i][4])} for i in page_ids]
    return parts, rows[page_ids[0]][5], rows[page_ids[0]][6]


def _process_group(conn, portals: dict, page_ids: list[int]) -> dict:
    from pipelines.process import process_page

    parts, portal_name, _fetched_at = stored_article(conn, page_ids)
    try:
        record = process_page(parts, portals.get(portal_name))
    except Exception as e:  # noqa: BLE001 - one bad page must not stop a whole reprocess
        # left as it is in the archive (a rule bug must not delete reports); counted and named
        return {"url": parts[0]["url"], "error": f"{type(e).__name__}: {e}", "page_ids": page_ids}
    record["pages"] = [{"url": p["url"]} for p in record["pages"]]  # bodies stay in the worker
    record["page_ids"] = page_ids
    record["portal"] = portal_name
    return record


def _work(chunk: list[list[int]]) -> list[dict]:
    return [_process_group(_worker_state["conn"], _worker_state["portals"], ids) for ids in chunk]


# -- the writer ------------------------------------------------------------------------------------

class Reprocessor:
    def __init__(self, db, db_path: str):
        self.db = db  # sqlite_utils.Database, the one writer
        self.db_path = db_path
        self.claimed: set[int] = set()  # documents whose text this run has set
        self.changes = Changes()
        self.source_cols = set(db["sources"].columns_dict)
        self.has_fts = has_fts(db)
        self._signer = None
        self._prep: tuple = (None,)  # (text sha, hashes, signature) of the last record prepared

    @property
    def signer(self):
        """The archive writer's near-duplicate index (loaded from dedup_signatures), for signatures
        and near-copy queries."""
        if self._signer is None:
            from archive.writer import ArchiveWriter

            self._signer = ArchiveWriter(self.db_path, db=self.db)
        return self._signer

    def _prepared(self, rec: dict):
        """(shingle hashes, signature) of a record's text, computed once per record (the near-copy
        query and the signature of a document it creates or updates both need them)."""
        if self._prep[0] != rec["text_sha256"]:
            self._prep = (rec["text_sha256"], *self.signer.dedup.prepare(rec["text"]))
        return self._prep[1:]

    def _save_signature(self, doc_id: int, rec: dict) -> None:
        """Keep the near-duplicate index (dedup_signatures and the in-memory bands) in step with a
        document whose text this run set."""
        if not self.db["dedup_signatures"].exists():
            return
        h, sig = self._prepared(rec)
        self.signer._save_signature(doc_id, sig, len(h), rec.get("year"), rec.get("issuer"), rec["text_sha256"])
        self.signer.dedup.add_signature(str(doc_id), sig, len(h), rec.get("issuer"), rec.get("year"))

    def _near_copy_of(self, rec: dict) -> tuple[int, float] | None:
        """The archived document this text is a near copy of (the crawl's near-duplicate query with
        its year/issuer guards), and its similarity to that document's text; None when there is none.
        (A deleted document is no candidate: its signature row goes with it, see _refresh.)"""
        if not self.db["dedup_signatures"].exists():
            return None
        h, sig = self._prepared(rec)
        matches = self.signer.dedup.query_prepared(h, sig, rec.get("issuer"), rec.get("year"))
        return (int(matches[0][0]), self.signer._score_to(h, int(matches[0][0]))) if matches else None

    def apply_group(self, records: list[dict]) -> None:
        """Bring the archive in line with re-processed articles, in order, in one transaction."""
        conn = self.db.conn
        conn.execute("BEGIN")  # explicit: sqlite_utils commits a write it finds outside a transaction
        try:
            if self.has_fts:
                defer_indexing(conn)  # the group's changed texts enter full-text search at its end
            for record in records:
                self._apply(record)
            if self.has_fts:
                index_deferred(conn)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        if self._signer is not None:  # the near-duplicate index's tail goes to SQLite once full
            self.signer.dedup.flush_if_full()

    def _apply(self, rec: dict) -> None:
        db, ch = self.db, self.changes
        ch.articles += 1
        if rec.get("error"):
            ch.errors += 1
            print(f"reprocess: {rec['url']}: processing failed, left as archived ({rec['error']})",
                  file=sys.stderr)
            return
        url, ids = rec["url"], rec["page_ids"]
        first = db.execute("SELECT is_report, document_id, fetched_at, first_fetched_at, sha256 "
                           "FROM pages WHERE id = ?", [ids[0]]).fetchone()
        was_report, old_doc, fetched_at, first_fetched, page_sha = first
        sha_col = "text_sha256" if "text_sha256" in self.source_cols else "NULL"
        source = db.execute(f"SELECT id, document_id, {sha_col} FROM sources WHERE url = ?", [url]).fetchone()
        if source:
            old_doc = source[1]
        is_report = bool(rec["is_report"])
        if is_report and not was_report:
            ch.newly_reports.append(url)
        elif was_report and not is_report:
            ch.newly_rejected.append(url)

        doc_id = None
        if is_report:
            doc_id, sim = self._document_for(rec, old_doc, fetched_at or first_fetched, source)
            src = {f: rec.get(f) for f in SOURCE_FIELDS}
            if "text_sha256" in self.source_cols:  # the source's own text (a near copy differs)
                src.update(text_sha256=rec["text_sha256"], chars=len(rec["text"]), similarity=sim)
            if "doc_meta" in self.source_cols:  # what this copy says, for when it becomes canonical
                src.update(doc_meta=json.dumps({f: rec.get(f) for f in DOC_FIELDS}, ensure_ascii=False))
            src.update(document_id=doc_id, portal=rec.get("portal"), page_sha256=page_sha,
                       part_urls=json.dumps([p["url"] for p in rec["pages"]])
                       if len(rec["pages"]) > 1 else None)
            if source:
                update_row(db.conn, "sources", source[0], src)
            else:
                src.update(url=url, fetched_at=fetched_at, first_seen=first_fetched or fetched_at)
                insert_row(db.conn, "sources", src)
        elif source:
            db.execute("DELETE FROM sources WHERE id = ?", [source[0]])

        marks = ",".join("?" * len(ids))
        db.execute(f"UPDATE pages SET is_report = ?, class_reason = ?, title = ?, document_id = ? "
                   f"WHERE id IN ({marks})", [int(is_report), rec.get("class_reason"), rec.get("title"),
                                               doc_id, *ids])
        for doc in {old_doc, doc_id} - {None}:
            self._refresh(doc, keep=doc_id)

    def _document_for(self, rec: dict, old_doc: int | None, seen: str | None, source) -> tuple[int, float]:
        """The document this report's text belongs to now, and the text's similarity to it: an
        existing one (exact or near copy: merge), its old one updated in place, or a new one."""
        db, ch = self.db, self.changes
        same = db.execute("SELECT id FROM documents WHERE text_sha256 = ?", [rec["text_sha256"]]).fetchone()
        if same:
            doc_id = same[0]
            canonical = db.execute("SELECT canonical_url FROM documents WHERE id = ?", [doc_id]).fetchone()[0]
            # the document's metadata is its canonical copy's, as the writer keeps it
            if doc_id not in self.claimed or rec["url"] == canonical:
                self._set_document(doc_id, rec, text_changed=False)
            return doc_id, 1.0
        was_near_copy = is_canonical = False
        if old_doc is not None:
            doc_sha, canonical = db.execute("SELECT text_sha256, canonical_url FROM documents WHERE id = ?",
                                            [old_doc]).fetchone()
            is_canonical = canonical == rec["url"]
            # a copy whose own text was not the document's: it joined by the near-duplicate index
            was_near_copy = not is_canonical and bool(source and source[2] and source[2] != doc_sha)
        if not is_canonical:
            # a copy (or a newly accepted report) goes where the crawl's near-duplicate query puts it
            near = self._near_copy_of(rec)
            if near:
                return near
        if old_doc is not None and old_doc not in self.claimed and not was_near_copy:
            # The old document's text is replaced (its other sources, if any, follow when their own
            # page comes: same new text -> same document; different -> split off below).
            self._set_document(old_doc, rec, text_changed=True)
            return old_doc, 1.0
        row = {f: rec.get(f) for f in DOC_FIELDS}
        row.update(text=rec["text"], text_sha256=rec["text_sha256"], canonical_url=rec["url"],
                   portal=rec.get("portal"), n_sources=0, chars=len(rec["text"]),
                   first_seen=seen, last_seen=seen)
        doc_id = insert_row(db.conn, "documents", row)
        self._write_sections(doc_id, rec)
        self._save_signature(doc_id, rec)
        self.claimed.add(doc_id)
        ch.created.append(doc_id)
        return doc_id, 1.0

    def _set_document(self, doc_id: int, rec: dict, text_changed: bool) -> None:
        db = self.db
        cols = list(DOC_FIELDS)
        old = dict(zip(cols, db.execute(f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM documents "
                                        "WHERE id = ?", [doc_id]).fetchone()))
        new = {f: rec.get(f) for f in cols}
        if text_changed:
            new.update(text=rec["text"], text_sha256=rec["text_sha256"], chars=len(rec["text"]))
            self.changes.texts_changed.append(doc_id)
            update_row(db.conn, "documents", doc_id, new)
            self._save_signature(doc_id, rec)
        elif old != new:
            self.changes.metadata_changed += 1
            update_row(db.conn, "documents", doc_id, new)
        self._write_sections(doc_id, rec)
        self.claimed.add(doc_id)

    def _write_sections(self, doc_id: int, rec: dict) -> None:
        new = [tuple(s[c] for c in SECTION_COLUMNS) for s in rec.get("sections", [])]
        old = self.db.execute(f"SELECT {', '.join(SECTION_COLUMNS)} FROM sections "
                              "WHERE document_id = ? ORDER BY position", [doc_id]).fetchall()
        if [tuple(r) for r in old] == new:
            return
        replace_sections(self.db.conn, doc_id, new)

    def _refresh(self, doc_id: int, keep: int | None) -> None:
        """Recount a document's sources; delete it when none is left (merged away or rejected)."""
        n = self.db.execute("SELECT count(*) FROM sources WHERE document_id = ?", [doc_id]).fetchone()[0]
        if n == 0 and doc_id != keep:
            self.db.execute("DELETE FROM sections WHERE document_id = ?", [doc_id])
            if self.db["revisions"].exists():  # history follows the document it was merged into
                if keep is None:
                    self.db.execute("DELETE FROM revisions WHERE document_id = ?", [doc_id])
                else:
                    self.db.execute("UPDATE revisions SET document_id = ? WHERE document_id = ?", [keep, doc_id])
            if self.db["dedup_signatures"].exists():
                self.db.execute("DELETE FROM dedup_signatures WHERE document_id = ?", [doc_id])
                if self._signer is not None:  # its pending bands and cached hashes, if any
                    self._signer.dedup.remove(str(doc_id))
            self.db.execute("UPDATE pages SET document_id = NULL WHERE document_id = ?", [doc_id])
            self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
            if keep is not None:
                self.changes.merged.append((doc_id, keep))
            self.claimed.discard(doc_id)
        else:
            self.db.execute("UPDATE documents SET n_sources = ? WHERE id = ?", [n, doc_id])


def reprocess(db_path: str, jobs: int = 1, portals_file: str | None = None, progress=sys.stderr) -> Changes:
    """Re-extract every article of the archive at ``db_path``; return what changed."""
    from archive.db import open_archive

    db = open_archive(db_path, create=False)
    groups = article_groups(db.conn)
    portals = load_portals_for(db.conn, portals_file)
    writer = Reprocessor(db, str(db_path))
    chunks = [[ids for _pid, ids in groups[i:i + CHUNK]] for i in range(0, len(groups), CHUNK)]
    started = last = time.monotonic()
    done = 0

    def report(final=False):
        elapsed = time.monotonic() - started
        print(f"reprocess: {done}/{len(groups)} articles, {done / max(elapsed, 1e-9):.1f}/s"
              + (" done" if final else ""), file=progress, flush=True)

    if jobs <= 1:
        _init_worker(str(db_path), portals)
        results = map(_work, chunks)
        pool = None
    else:
        import multiprocessing

        pool = multiprocessing.get_context("fork").Pool(jobs, _init_worker, (str(db_path), portals))
        results = pool.imap(_work, chunks)  # ordered: merges keep the first-seen URL canonical
    group: list[dict] = []
    try:
        for records in results:
            group.extend(records)
            if len(group) >= GROUP:
                writer.apply_group(group)
                done += len(group)
                group = []
            if time.monotonic() - last >= PROGRESS_EVERY_S:
                last = time.monotonic()
                report()
        if group:
            writer.apply_group(group)
            done += len(group)
    finally:
        if pool is not None:
            pool.terminate()
        _worker_state.pop("conn", None)
    report(final=True)
    db.conn.close()
    return writer.changes


def format_changes(ch: Changes) -> str:
    lines = [
        "reprocess summary",
        f"  articles reprocessed        {ch.articles}",
        f"  documents, text changed     {len(ch.texts_changed)}",
        f"  documents, metadata changed {ch.metadata_changed}",
        f"  pages newly reports         {len(ch.newly_reports)}",
        f"  pages newly rejected        {len(ch.newly_rejected)}",
        f"  documents merged            {len(ch.merged)}",
        f"  documents created           {len(ch.created)}",
        f"  processing errors           {ch.errors}",
    ]
    lines += [f"  + report   {u}" for u in ch.newly_reports]
    lines += [f"  - rejected {u}" for u in ch.newly_rejected]
    lines += [f"  merged document {a} into {b}" for a, b in ch.merged]
    return "\n".join(lines)


def add_reprocess_parser(subparsers):
    p = subparsers.add_parser(
        "reprocess", help="re-extract every archived page from its stored bytes (after a rule change)",
        description="Run every page stored in the archive through extraction, normalization and "
                    "classification again, without network, and update documents, sections, pages "
                    f"and the search index in place. Safe to interrupt: one transaction per {GROUP} articles; "
                    "run it again to finish.",
        epilog="example: lawgov reprocess --db data/archive.db --jobs 2",
    )
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file")
    p.add_argument("--jobs", type=_jobs, default=1, metavar="N", help="worker processes (default: 1)")
    p.add_argument("--portals", metavar="FILE", help="portal registry for issuer/region fallbacks "
                   "(default: the file of the archive's last crawl, if it still exists)")
    p.set_defaults(func=run_reprocess)
    return p


def _jobs(value: str) -> int:
    import argparse

    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: a number of processes, 1 or more")
    return int(value)


def run_reprocess(args) -> int:
    # a missing/foreign archive raises ArchiveError, a bad --portals file PortalFileError: both are
    # printed by lawgov.cli as one line with exit code 2
    changes = reprocess(args.db, jobs=args.jobs, portals_file=args.portals)
    print(format_changes(changes))
    return 0
