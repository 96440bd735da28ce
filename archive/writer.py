"""The one writer of the archive: every change goes through here, one transaction per record."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone

import sqlite_utils

from archive.db import open_archive

# Outcomes of ArchiveWriter.store(), also the crawl counters they feed.
NEW_REPORT = "new_report"  # a report never seen before: a new document
DUPLICATE = "duplicate"  # a report already archived, seen at a new URL: merged as another source
UNCHANGED = "unchanged"  # a report URL fetched again with the same text
LOOKALIKE = "lookalike"  # not a report: kept in pages with its class_reason only

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


class ArchiveWriter:
    """Writes processed pages into the archive.

    A record is the dict made by ``pipelines.process.process_page`` plus ``portal`` and
    ``fetched_at``; its ``pages`` list holds the raw parts (one for most articles).
    """

    def __init__(self, path: str, *, db: sqlite_utils.Database | None = None):
        self.path = path
        self.db = db or open_archive(path)

    def close(self) -> None:
        self.db.conn.close()

    # -- crawls ---------------------------------------------------------------------------------
    def start_crawl(self, portals_file: str, n_portals: int) -> int:
        with self.db.conn:
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
                    "duplicates_merged", "errors"):
            row[key] = int(counters.get(key, 0))
        with self.db.conn:
            self.db["crawls"].update(crawl_id, row)

    # -- records --------------------------------------------------------------------------------
    def store(self, record: dict, crawl_id: int | None = None) -> str:
        """Archive one processed record in a single transaction and say what it was."""
        now = record.get("fetched_at") or utcnow()
        with self.db.conn:
            document_id = None
            if record["is_report"]:
                outcome, document_id = self._store_report(record, now)
            else:
                outcome = LOOKALIKE
            self._store_pages(record, now, crawl_id, document_id)
        return outcome

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
            if existing:
                self.db["pages"].update(existing[0], row)
            else:
                row.update(
                    url=page["url"],
                    sha256=page["sha256"],
                    size=len(page["body"]),
                    body=zlib.compress(page["body"], 6),
                    first_fetched_at=now,
                )
                self.db["pages"].insert(row)

    def _store_report(self, record: dict, now: str) -> tuple[str, int]:
        db = self.db
        url = record["url"]
        doc = db.execute(
            "SELECT id FROM documents WHERE text_sha256 = ?", [record["text_sha256"]]
        ).fetchone()
        source = db.execute("SELECT id, document_id FROM sources WHERE url = ?", [url]).fetchone()

        if doc is None:
            row = {f: record.get(f) for f in DOC_FIELDS}
            row.update(
                text=record["text"],
                text_sha256=record["text_sha256"],
                canonical_url=url,
                portal=record.get("portal"),
                n_sources=0,
                chars=len(record["text"]),
                first_seen=now,
                last_seen=now,
            )
            document_id = db["documents"].insert(row).last_pk
            db["sections"].insert_all(
                {"document_id": document_id, "position": sec["position"], "level": sec["level"],
                 "number": sec["number"], "heading": sec["heading"], "text": sec["text"]}
                for sec in record.get("sections", [])
            )
            outcome = NEW_REPORT
        else:
            document_id = doc[0]
            db.execute("UPDATE documents SET last_seen = ? WHERE id = ?", [now, document_id])
            outcome = UNCHANGED if source and source[1] == document_id else DUPLICATE

        src = {f: record.get(f) for f in SOURCE_FIELDS}
        src.update(
            document_id=document_id,
            portal=record.get("portal"),
            page_sha256=record["pages"][0]["sha256"],
            part_urls=json.dumps([p["url"] for p in record["pages"]]) if len(record["pages"]) > 1 else None,
            fetched_at=now,
        )
        if source is None:
            src.update(url=url, first_seen=now)
            db["sources"].insert(src)
        else:
            # Same URL, new text: the source now points at the new document (revisions: later issue).
            db["sources"].update(source[0], src)
        self._refresh_counts({document_id} | ({source[1]} if source else set()))
        return outcome, document_id

    def _refresh_counts(self, document_ids: set[int]) -> None:
        for doc_id in document_ids:
            self.db.execute(
                "UPDATE documents SET n_sources = (SELECT count(*) FROM sources WHERE document_id = ?) "
                "WHERE id = ?",
                [doc_id, doc_id],
            )
