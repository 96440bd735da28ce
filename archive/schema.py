"""The archive's tables, in one place.

Each table is declared as data (columns, primary key, unique indexes) and created with sqlite-utils.
The schema version lives in ``PRAGMA user_version`` so an archive written by a newer lawgov is
refused instead of being silently misread.
"""

from __future__ import annotations

SCHEMA_VERSION = 2

# One row per distinct report (after exact dedup on the normalized text).
DOCUMENTS = {
    "columns": {
        "id": int,
        "title": str,
        "text_sha256": str,
        "year": int,
        "issuer": str,
        "region_code": str,
        "level": str,
        "issuer_kind": str,
        "province": str,
        "city": str,
        "county": str,
        "published": str,
        "published_late": int,
        "written": str,
        "index_no": str,
        "doc_no": str,
        "source": str,
        "site_name": str,
        "column": str,
        "keywords": str,
        "class_reason": str,
        "canonical_url": str,
        "portal": str,
        "n_sources": int,
        "chars": int,
        "first_seen": str,
        "last_seen": str,
        # 0 once no source shows this document any more (its URLs moved to other reports); kept,
        # with its revisions, as history (archive/writer.py, issue 5)
        "is_current": int,
        # last, after every metadata column: a row's head then fits its page, and reading metadata
        # (datasette's counts and facets over a search's matches) does not follow the text's overflow
        # pages. Columns added to an older archive by ALTER TABLE land after it, so the migration
        # moves the "tail" columns back to the end (archive/db.py).
        "text": str,
    },
    "tail": ["text"],
    "pk": "id",
    "not_null": {"text", "text_sha256"},
    "unique": [["text_sha256"]],
    "indexes": [["year"], ["issuer"], ["region_code"], ["province", "year"]],
}

# One row per heading of a report (一、/(一)/1.), so sections such as 存在的问题 can be read across reports.
SECTIONS = {
    "columns": {
        "id": int,
        "document_id": int,
        "position": int,
        "level": int,
        "number": str,
        "heading": str,
        "text": str,
    },
    "pk": "id",
    "not_null": {"document_id"},
    "unique": [["document_id", "position"]],
    "indexes": [["heading"]],
    "foreign_keys": [("document_id", "documents", "id")],
}

# One row per URL where a report was seen; cross-posts share a document.
SOURCES = {
    "columns": {
        "id": int,
        "url": str,
        "document_id": int,
        "portal": str,
        "title": str,
        "published": str,
        "written": str,
        "issuer": str,
        "index_no": str,
        "doc_no": str,
        "source": str,
        "site_name": str,
        "column": str,
        "keywords": str,
        "page_sha256": str,
        "part_urls": str,  # JSON list when the article was stitched from several pages
        "fetched_at": str,
        "first_seen": str,
        # incremental crawls (crawler/incremental.py): last time the URL was asked about (fetch,
        # 304 or gone answer), and when it stopped answering (never deleted; cleared when it answers)
        "checked_at": str,
        "gone_at": str,
        "gone_reason": str,  # http_404, http_410, redirect:<url>
        # dedup (archive/writer.py): this copy's current text, its length, whether it was served
        # converted (Traditional/pinyin gateway), the portal's issuer, and its similarity to the
        # document's canonical text (1.0 for the canonical copy and exact copies)
        "text_sha256": str,
        "chars": int,
        "converted": int,
        "portal_issuer": str,
        "similarity": float,
        # the document fields as this copy gave them (JSON), so that the document's metadata follows
        # its canonical copy whatever order the copies arrived in
        "doc_meta": str,
    },
    "pk": "id",
    "not_null": {"url", "document_id"},
    "unique": [["url"]],
    "indexes": [["document_id"], ["portal"], ["text_sha256"]],
    "foreign_keys": [("document_id", "documents", "id")],
}

# One row per version of the text a source URL served: same URL, changed text = a new revision.
# last_seen moves when the URL serves that version again (also after an edit was reverted).
REVISIONS = {
    "columns": {
        "id": int,
        "source_url": str,
        "document_id": int,  # the document the URL belonged to when it served this version
        "text_sha256": str,
        "title": str,
        "chars": int,
        "page_sha256": str,
        "first_seen": str,
        "last_seen": str,
        "crawl_id": int,
        "text": str,  # last, as in documents: metadata reads skip the overflow pages
    },
    "pk": "id",
    "not_null": {"source_url", "text_sha256", "text"},
    "unique": [["source_url", "text_sha256"]],
    "indexes": [["document_id"], ["text_sha256"]],
}

# The persisted near-duplicate index: one MinHash signature per document (of its canonical text),
# so a writer rebuilds the LSH without reading any text (pipelines/dedup.py).
DEDUP_SIGNATURES = {
    "columns": {
        "document_id": int,
        "signature": bytes,  # NUM_PERM little-endian uint64
        "n_shingles": int,
        "year": int,
        "issuer": str,
        "text_sha256": str,  # of the text signed: a stale row (text changed elsewhere) is redone
    },
    "pk": "document_id",
    "not_null": {"signature"},
    "unique": [],
    "indexes": [],
}

# The near-duplicate LSH buckets (pipelines.dedup.SQLiteNearDupIndex), on disk so a long crawl's memory
# does not grow with the archive: one row per band (37) of each banded signature. Rows are never
# updated: a row whose document's signature changed or whose document went is skipped at query time.
DEDUP_BANDS = {
    "columns": {
        "band_key": int,  # the band's 64-bit key as a signed integer
        "document_id": int,
    },
    "pk": ("band_key", "document_id"),
    "not_null": set(),
    "unique": [],
    "indexes": [],
}

# The latest bands, merged into dedup_bands in bulk (a bulk insert of random keys rewrites every page
# of the table it goes into: a small table in front keeps that cost per document constant).
DEDUP_BANDS_RECENT = dict(DEDUP_BANDS)

# Signatures saved (same transaction as the document) whose bands are not in dedup_bands yet: the
# index writes bands in bulk, and bands this file lists after a crash on the next load.
DEDUP_PENDING = {
    "columns": {"document_id": int},
    "pk": "document_id",
    "not_null": set(),
    "unique": [],
    "indexes": [],
}

# Documents inserted or changed in the writer's open record group, indexed in full-text search at its commit
# (archive/fts.py, defer_indexing): empty in every committed state. Declared here so that an archive
# from before it is migrated on open (ensure_fts replaces its triggers).
DOCUMENTS_FTS_PENDING = {
    "columns": {"document_id": int},
    "pk": "document_id",
    "not_null": set(),
    "unique": [],
    "indexes": [],
}

# The values the FTS index holds for documents changed or deleted in such a deferral, taken out of the
# index at its end (archive/fts.py): empty in every committed state.
DOCUMENTS_FTS_STALE = {
    "columns": {"document_id": int, "title": str, "text": str},
    "pk": "document_id",
    "not_null": set(),
    "unique": [],
    "indexes": [],
}

# Every fetched detail page, raw bytes compressed (archive/pagebody.py: zstd; zlib in older rows), so
# the archive can be re-extracted offline.
# One row per (url, sha256): refetching identical bytes only moves fetched_at.
PAGES = {
    "columns": {
        "id": int,
        "url": str,
        "portal": str,
        "status": int,
        "content_type": str,
        "encoding": str,
        "sha256": str,
        "size": int,
        "first_fetched_at": str,
        "fetched_at": str,
        "crawl_id": int,
        "title": str,
        "is_report": int,
        "class_reason": str,
        "document_id": int,
        "part_of": str,  # first-part URL when this page continues a split article
        # attachments (pipelines/attachments.py): a PDF without a text layer, and why a file's text
        # was not extracted ("stored, not extracted: …")
        "needs_ocr": int,
        "extract_note": str,
        # validators the server sent with these bytes, and the date the list showed next to the link
        # (look-alikes have no source row, so per-page fetch state lives here)
        "etag": str,
        "last_modified": str,
        "list_date": str,
        "body": bytes,  # last, as in documents: metadata reads skip the overflow pages
    },
    "pk": "id",
    "not_null": {"url", "sha256"},
    "unique": [["url", "sha256"]],
    "indexes": [["is_report"], ["document_id"],
                # covers archive.queries.known_urls, so an incremental crawl's start reads no page bodies
                ["url", "fetched_at", "part_of", "etag", "last_modified", "list_date"]],
}

# One row per crawl run.
CRAWLS = {
    "columns": {
        "id": int,
        "started_at": str,
        "finished_at": str,
        "status": str,
        "portals_file": str,
        "portals": int,
        "pages_fetched": int,
        "detail_pages": int,
        "reports_archived": int,
        "lookalikes_rejected": int,
        "files_unread": int,  # report files stored but not read: scans needing OCR, DOC/WPS
        "duplicates_merged": int,
        "errors": int,
        # incremental crawls: 304 answers, known URLs not downloaded, refetches because the list date
        # moved, periodic rechecks sent, URLs found gone / back, new revisions
        "not_modified": int,
        "skipped_known": int,
        "list_changed": int,
        "rechecks": int,
        "gone": int,
        "returned": int,
        "revisions_new": int,
        "errors_by_kind": str,  # JSON {kind: count}
        "elapsed_s": float,
        "stats_json": str,
    },
    "pk": "id",
    "not_null": set(),
    "unique": [],
    "indexes": [],
}

# One row per request that failed for good in a crawl (after its retries): timeouts, resets, 5xx,
# challenge pages, binary junk, redirect loops, oversized bodies. Nothing of such a response is
# archived, so the next run simply asks again.
FETCH_ERRORS = {
    "columns": {
        "id": int,
        "crawl_id": int,
        "url": str,
        "portal": str,
        "kind": str,  # challenge, not_html, timeout, connection, truncated, too_large, redirect_loop, http_NNN
        "detail": str,
        "at": str,
    },
    "pk": "id",
    "not_null": {"url", "kind"},
    "unique": [],
    "indexes": [["crawl_id"], ["kind"], ["url"]],
}

TABLES = {
    "documents": DOCUMENTS,
    "sources": SOURCES,
    "pages": PAGES,
    "crawls": CRAWLS,
    "sections": SECTIONS,
    "fetch_errors": FETCH_ERRORS,
    "revisions": REVISIONS,
    "dedup_signatures": DEDUP_SIGNATURES,
    "dedup_bands": DEDUP_BANDS,
    "dedup_bands_recent": DEDUP_BANDS_RECENT,
    "dedup_pending": DEDUP_PENDING,
    "documents_fts_pending": DOCUMENTS_FTS_PENDING,
    "documents_fts_stale": DOCUMENTS_FTS_STALE,
}
