"""The processing path for one fetched article: decode, extract, normalize, classify.

Used by the Scrapy item pipelines, by ``lawgov extract`` and by anything that re-processes stored
pages, so all of them produce the same record from the same bytes.
"""

from __future__ import annotations

import hashlib
import time
import traceback

from pipelines import attachments
from pipelines.classify import classify, covered_year
from pipelines.enrich import enrich
from pipelines.extract import extract
from pipelines.normalize import normalize_text, normalize_title
from pipelines.sections import split_sections

METADATA_FIELDS = (
    "title", "published", "written", "issuer", "index_no", "doc_no", "source", "site_name",
    "column", "keywords",
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract_parts(parts: list[dict]) -> dict:
    """Extract every part of an article and stitch them: text joined in order, metadata from the
    first part that has it."""
    merged: dict = {f: None for f in METADATA_FIELDS}
    texts = []
    for part in parts:
        fields = extract(part["body"], url=part.get("url"), content_type=part.get("content_type"))
        part["encoding"] = fields.get("encoding")
        for f in METADATA_FIELDS:
            if merged[f] is None and fields.get(f):
                merged[f] = fields[f]
        if fields.get("text"):
            texts.append(fields["text"])
    merged["text"] = "\n".join(texts)
    return merged


def process_page(parts: list[dict], portal=None) -> dict:
    """Turn the raw parts of one article into an archive record.

    ``parts``: dicts with ``url``, ``body`` (bytes) and optionally ``status``, ``content_type``.
    ``portal``: a ``crawler.portals.Portal`` (or None): supplies issuer and region fallbacks.
    """
    # Attachments (PDF, DOCX, …) are parts too: stored raw; their text stands in for a stub page's.
    kinds = [attachments.detect(p) for p in parts]
    # (a link that looked like a file but answered a web page is kept raw, its text not mixed in)
    pages = [p for p, k in zip(parts, kinds) if k is None and not p.get("attachment_link")]
    files = [(p, attachments.extract_file(p, k)) for p, k in zip(parts, kinds) if k is not None]
    fields = extract_parts(pages) if pages else {f: None for f in (*METADATA_FIELDS, "text")}
    text = normalize_text(fields["text"] or "")
    unread_reason = None
    if files and (not pages or attachments.is_stub(text)):
        for part, got in files:
            part["needs_ocr"] = got.needs_ocr
            part["extract_note"] = got.note
        text = normalize_text("\n".join(got.text for _, got in files if got.text))
        if not pages:  # a file listed on its own: title from the link, date from the file
            # (the link text when the crawl saw it, else the file's own title: re-processing has no link)
            fields["title"] = attachments.file_title(files[0][0]) or next(
                (got.title for _, got in files if got.title), None)
            fields["published"] = next((got.created for _, got in files if got.created), None)
        if not text:
            unread_reason = ("no-text:needs-ocr" if any(got.needs_ocr for _, got in files)
                             else "no-text:attachment-not-extracted")
    title = normalize_title(fields["title"] or "")
    for f in ("issuer", "source", "site_name", "column", "keywords", "index_no", "doc_no"):
        if fields[f]:
            fields[f] = normalize_title(fields[f])
    if not fields["issuer"] and portal is not None:
        fields["issuer"] = portal.issuer
    is_report, reason = classify(title, text)
    year = covered_year(title, text, fields["published"])
    record = dict(fields)
    # issuer_kind, level, region_code, province, city, county, published_late
    record.update(enrich(fields["issuer"], getattr(portal, "region_code", None),
                         getattr(portal, "level", None), fields["published"], year, title))
    record.update(
        url=parts[0]["url"],
        title=title or None,
        text=text,
        text_sha256=sha256(text.encode("utf-8")),
        year=year,
        is_report=bool(is_report and text),
        class_reason=reason if text else (unread_reason or "empty-text"),
        needs_ocr=any(p.get("needs_ocr") for p in parts),
        sections=split_sections(text) if is_report and text else [],
        portal=getattr(portal, "name", None),
        pages=[
            {
                "url": p["url"],
                "status": p.get("status", 200),
                "content_type": p.get("content_type"),
                "encoding": p.get("encoding"),
                "body": p["body"],
                "sha256": sha256(p["body"]),
                **{k: p[k] for k in ("needs_ocr", "extract_note") if p.get(k)},
                **{k: p[k] for k in ("etag", "last_modified") if k in p},
            }
            for p in parts
        ],
    )
    return record


def processed_record(item: dict, portal=None) -> tuple[dict, float | None, str | None]:
    """The archive record of a fetched article (``item``: the spider's ``url``, ``portal``, ``parts``,
    ``list_date``), the CPU seconds process_page took, and the error (a traceback) if it failed: a
    page we cannot process is still archived raw, with the error as its class_reason. Runs wherever
    processing runs (the reactor, a worker process, the archive writer): the caller logs and counts."""
    started = time.thread_time()
    try:
        record = process_page(item["parts"], portal)
    except Exception as e:  # noqa: BLE001 -- any failure of the rules must not lose the page
        return failed_record(item, e), None, traceback.format_exc(limit=3)
    record["list_date"] = item.get("list_date")  # stored with the pages (crawler/incremental.py)
    return record, time.thread_time() - started, None


def failed_record(item: dict, error: BaseException) -> dict:
    """The record of an article processing failed on: its raw pages, the error as class_reason."""
    return {
        "url": item["url"], "portal": item["portal"], "title": None, "text": "",
        "is_report": False, "class_reason": f"error:{type(error).__name__}",
        "pages": [dict(p, sha256=sha256(p["body"])) for p in item["parts"]],
        "list_date": item.get("list_date"),
    }
