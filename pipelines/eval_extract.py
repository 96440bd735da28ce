"""Score the extractor against gold pages, next to plain trafilatura.

    python -m pipelines.eval_extract tests/pages [tests/pages/heldout ...] [--sample-web] [--repeat N]

A gold page is ``NAME.html`` with ``NAME.gold.json`` (keys: url, content_type, encoding, the
metadata fields, and ``text`` as a list of lines). Printed per page and in total:

- character-bigram precision / recall / F1 of the body text against the gold text (whitespace
  ignored), for our extractor and for ``trafilatura.extract(favor_precision=True,
  include_tables=True)`` on the same decoded page;
- chrome leaks: chrome markers (扫一扫, 当前位置, ICP备 …) in the text that the gold text lacks;
- metadata: share of gold metadata fields (title, published, … keywords) matched exactly;
- speed: pages per second for both (bytes in, decoding included).

With ``--sample-web``, reports published as files (PDF/DOCX/DOC/WPS, pipelines/attachments.py) are
not HTML extraction cases: their text is in the file, so they are scored apart, through
``pipelines.process.process_page`` (stub page + file, as the crawl hands them over) against the file's
gold text, both normalized as the archive stores text. A file that cannot be read (scan, DOC, WPS)
must come out with no text and the reason ``sampleweb.truth.unreadable_reports`` names.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from pipelines.encoding import decode_html
from pipelines.extract import extract

METADATA = ("title", "published", "written", "issuer", "index_no", "doc_no", "source",
            "site_name", "column", "keywords")
KEY_FIELDS = ("title", "published", "issuer")
CHROME_MARKERS = ("扫一扫", "当前位置", "打印本页", "关闭窗口", "分享到", "字体", "主办", "承办",
                  "网站标识码", "ICP备", "公网安备", "技术支持", "版权所有", "上一篇", "下一篇",
                  "浏览次数", "索引号")


def bigrams(text: str | None) -> Counter:
    s = "".join((text or "").split())
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def prf(got: str | None, gold: str) -> tuple[float, float, float]:
    g, t = bigrams(got), bigrams(gold)
    overlap = sum((g & t).values())
    p = overlap / sum(g.values()) if g else 0.0
    r = overlap / sum(t.values()) if t else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def leaks(got: str | None, gold: str) -> list[str]:
    return [m for m in CHROME_MARKERS if m in (got or "") and m not in gold]


def plain_trafilatura(body: bytes, url: str | None, content_type: str | None) -> str | None:
    import trafilatura

    html, _enc = decode_html(body, content_type)
    return trafilatura.extract(html, url=url, favor_precision=True, include_tables=True)


def load_pages(folder: Path) -> list[tuple[str, bytes, dict]]:
    pages = []
    for gold_path in sorted(folder.glob("*.gold.json")):
        name = gold_path.name[: -len(".gold.json")]
        html_path = gold_path.with_name(name + ".html")
        if not html_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pages.append((name, html_path.read_bytes(), gold))
    return pages


def sample_web_pages() -> list[tuple[str, bytes, dict]]:
    """Every article page of the shipped sample web, with its ground truth as gold (text, title,
    published, issuer; the page's first part for split articles)."""
    import opencc

    from sampleweb import truth
    from sampleweb.server import SampleWeb

    web = SampleWeb()
    to_traditional = opencc.OpenCC("s2t")
    pages = []
    for d in truth.detail_pages():
        if d["attachment"]:  # the text is in a file: scored by attachment_reports()
            continue
        status, headers, body = web.respond("GET", d["url"])
        part = 0 if len(d["part_urls"]) > 1 else None
        issuer = d["issuer"]
        if d["gateway"] and issuer:  # the extractor reads the page as shown: Traditional there
            issuer = to_traditional.convert(issuer)
        gold = {"url": d["url"], "content_type": headers.get("Content-Type"),
                "text": truth.gold_text(d["url"], part=part), "title": d["displayed_title"],
                "published": d["published"], "issuer": issuer}
        pages.append(("sample:" + d["url"].split("//", 1)[1], body, gold))
    return pages


UNREAD_REASONS = {"needs_ocr": "no-text:needs-ocr", "not_extracted": "no-text:attachment-not-extracted"}


def attachment_reports() -> list[tuple[str, list[dict], dict]]:
    """Every sample-web report published as a file: (name, parts, gold). ``parts`` are the stub page
    (absent when the file is listed on its own) and the file, as the crawl hands them to
    process_page; gold has the file's text lines and, for an unreadable file, the expected reason."""
    from sampleweb import truth
    from sampleweb.server import SampleWeb

    web = SampleWeb()
    unreadable = truth.unreadable_reports()
    out = []
    for d in truth.detail_pages():
        if not d["attachment"]:
            continue
        parts = []
        for url in dict.fromkeys([d["url"], d["attachment_url"]]):
            status, headers, body = web.respond("GET", url)
            parts.append({"url": url, "status": status, "body": body,
                          "content_type": headers.get("Content-Type")})
        gold = {"text": truth.gold_text(d["url"]), "title": d["displayed_title"],
                "published": d["published"], "issuer": d["issuer"],
                "reason": UNREAD_REASONS.get(unreadable.get(d["url"]))}
        out.append((f"{d['attachment']}:" + d["attachment_url"].split("//", 1)[1], parts, gold))
    return out


def score_attachments(reports: list[tuple[str, list[dict], dict]], repeat: int) -> None:
    from pipelines.normalize import normalize_text
    from pipelines.process import process_page

    print()
    print(f"{'report published as a file':40} {'process_page P/R/F1':>18}  outcome")
    readable, f1_sum, exact, key = 0, 0.0, 0, Counter()
    unread, unread_right = 0, 0
    for name, parts, gold in reports:
        rec = process_page([dict(p) for p in parts])
        if gold["reason"]:  # unreadable: no text, kept with the reason
            unread += 1
            ok = not rec["text"] and rec["class_reason"] == gold["reason"]
            unread_right += ok
            print(f"{name[:40]:40} {'-':>18}  {'ok' if ok else 'WRONG'}: text {len(rec['text'])} chars, "
                  f"{rec['class_reason']} (want {gold['reason']})")
            continue
        readable += 1
        gold_text = normalize_text("\n".join(gold["text"]))
        p, r, f = prf(rec["text"], gold_text)
        f1_sum += f
        exact += rec["text"] == gold_text
        hits = [k for k in KEY_FIELDS if rec.get(k) == gold.get(k)]
        key.update(hits)
        misses = ", ".join(f"{k} = {rec.get(k)!r}, gold {gold.get(k)!r}" for k in KEY_FIELDS if k not in hits)
        print(f"{name[:40]:40} {p:5.3f}/{r:5.3f}/{f:5.3f}  meta {len(hits)}/{len(KEY_FIELDS)}"
              + (f"  miss: {misses}" if misses else ""))
    t = time.perf_counter()
    for _ in range(repeat):
        for _name, parts, _gold in reports:
            process_page([dict(p) for p in parts])
    per_s = repeat * len(reports) / (time.perf_counter() - t)
    if readable:
        print(f"attachment reports, readable {readable}: F1 {f1_sum / readable:.3f} (macro), text exactly equal "
              f"to gold {exact}/{readable}; exact " + "  ".join(f"{k} {key[k] / readable:.3f}" for k in KEY_FIELDS))
    if unread:
        print(f"attachment reports, unreadable {unread}: {unread_right}/{unread} kept without text, right reason")
    print(f"attachment reports: process_page {per_s:.1f} reports/s (stub page + file, classify included)")


def trafilatura_metadata(body: bytes, url: str | None, content_type: str | None) -> dict:
    """What plain trafilatura offers for the same fields (author stands in for the issuer)."""
    import trafilatura

    html, _enc = decode_html(body, content_type)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {}
    return {"title": doc.title, "published": doc.date, "issuer": doc.author}


def pages_per_second(fn, pages, repeat: int) -> float:
    for name, body, gold in pages[:2]:  # warm up (imports, caches)
        fn(body, gold.get("url"), gold.get("content_type"))
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        for _name, body, gold in pages:
            fn(body, gold.get("url"), gold.get("content_type"))
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return len(pages) / best if best else float("inf")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="*", default=["tests/pages"], metavar="FOLDER")
    ap.add_argument("--sample-web", action="store_true", help="also score every sample-web article page")
    ap.add_argument("--repeat", type=int, default=5, help="timing rounds (best is kept)")
    args = ap.parse_args(argv)
    pages = [pg for folder in args.folders for pg in load_pages(Path(folder))]
    reports = []
    if args.sample_web:
        pages += sample_web_pages()
        reports = attachment_reports()
    if not pages:
        print(f"no gold pages in {', '.join(args.folders)}", file=sys.stderr)
        return 2

    print(f"{'page':40} {'ours P/R/F1':>18} {'trafilatura P/R/F1':>20}  leaks o/t  meta")
    tot = {"ours": [0.0, 0.0, 0.0], "traf": [0.0, 0.0, 0.0]}
    leak_total = {"ours": 0, "traf": 0}
    meta_hits, meta_n = 0, 0
    field_hits = Counter()
    exact_text = 0
    misses = []
    key_hits = {"ours": Counter(), "traf": Counter()}  # title / published / issuer exact
    for name, body, gold in pages:
        gold_text = "\n".join(gold["text"])
        ours = extract(body, url=gold.get("url"), content_type=gold.get("content_type"))
        traf = plain_trafilatura(body, gold.get("url"), gold.get("content_type"))
        po, ro, fo = prf(ours["text"], gold_text)
        pt, rt, ft = prf(traf, gold_text)
        for k, v in zip(("ours", "traf"), ((po, ro, fo), (pt, rt, ft))):
            tot[k] = [a + b for a, b in zip(tot[k], v)]
        lo, lt = leaks(ours["text"], gold_text), leaks(traf, gold_text)
        leak_total["ours"] += len(lo)
        leak_total["traf"] += len(lt)
        fields = [f for f in METADATA if f in gold]  # sample-web gold has the key fields only
        hits = [f for f in fields if ours.get(f) == gold.get(f)]
        meta_hits += len(hits)
        meta_n += len(fields)
        field_hits.update(hits)
        traf_meta = trafilatura_metadata(body, gold.get("url"), gold.get("content_type"))
        for f in KEY_FIELDS:
            key_hits["ours"][f] += ours.get(f) == gold.get(f)
            key_hits["traf"][f] += traf_meta.get(f) == gold.get(f)
        for f in fields:
            if ours.get(f) != gold.get(f):
                misses.append(f"{name}: {f} = {ours.get(f)!r}, gold {gold.get(f)!r}")
        if [ln.strip() for ln in (ours["text"] or "").split("\n")] == [ln.strip() for ln in gold["text"]]:
            exact_text += 1
        print(f"{name[:40]:40} {po:5.3f}/{ro:5.3f}/{fo:5.3f} {pt:6.3f}/{rt:5.3f}/{ft:5.3f}"
              f"  {len(lo):4}/{len(lt):<4} {len(hits)}/{len(fields)}")

    n = len(pages)
    print()
    print(f"pages: {n}")
    for k, label in (("ours", "ours       "), ("traf", "trafilatura")):
        p, r, f = (x / n for x in tot[k])
        print(f"{label} bigram P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (macro)   chrome leaks {leak_total[k]}")
    for k, label in (("ours", "ours       "), ("traf", "trafilatura")):
        print(f"{label} exact " + "  ".join(f"{f} {key_hits[k][f] / n:.3f}" for f in KEY_FIELDS))
    print(f"ours: text exactly equal to gold on {exact_text}/{n} pages")
    print(f"metadata exact: {meta_hits}/{meta_n} = {meta_hits / meta_n:.3f}   per field: "
          + ", ".join(f"{f} {field_hits[f]}" for f in METADATA))
    for m in misses:
        print("  miss:", m)

    def ours_fn(body, url, ct):
        return extract(body, url=url, content_type=ct)

    pps_ours = pages_per_second(ours_fn, pages, args.repeat)
    pps_traf = pages_per_second(plain_trafilatura, pages, args.repeat)
    print(f"speed: ours {pps_ours:.1f} pages/s, trafilatura {pps_traf:.1f} pages/s "
          f"(ours costs {pps_traf / pps_ours:.2f}x trafilatura per page)")
    if reports:
        score_attachments(reports, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
