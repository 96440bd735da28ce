"""`lawgov export`: every format read back with its own reader, filters, safe txt paths."""

import csv
import gzip
import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.db import ArchiveError
from archive.export import ExportError, export, safe_component
from lawgov.cli import main as cli_main
from tests.conftest import as_older_rows
from archive.writer import ArchiveWriter


def sha256(data):
    return hashlib.sha256(data).hexdigest()


GBK_TEXT = "广州市2023年法治政府建设年度报告\n一、主要举措\n坚持依法行政。"
GBK_BODY = f"<html><head><meta charset='gbk'></head><body>{GBK_TEXT}</body></html>".encode("gbk")
EVIL_TITLE = "../../etc/passwd/..\\坏\x00标题\n/../逃逸"

DOCS = [
    # url, text, title, year, province, level, body, content_type, extra part
    ("http://gd.gov.cn/a/1.html", GBK_TEXT, "广州市2023年法治政府建设年度报告", 2023, "广东省", "市级",
     GBK_BODY, "text/html; charset=gbk", None),
    ("http://gd.gov.cn/a/2.html", "广东省2022年法治政府建设情况报告正文", "广东省2022年法治政府建设情况报告",
     2022, "广东省", "省级", "<html>广东省2022</html>".encode(), "text/html; charset=utf-8",
     ("http://gd.gov.cn/a/2_1.html", "<html>第二页</html>".encode())),
    ("http://zj.gov.cn/b/3.html", "杭州市2023年报告正文", "杭州市2023年法治政府建设年度报告", 2023, "浙江省",
     "市级", "<html>杭州</html>".encode(), "text/html", None),
    ("http://zj.gov.cn/b/4.html", "某县报告正文，标题有斜杠", EVIL_TITLE, None, None, None,
     "<html>某县</html>".encode(), None, None),
]
LOOKALIKE = ("http://zj.gov.cn/b/notice.html", "<html>通知</html>".encode())


def _page(url, body, content_type="text/html", status=200):
    return {"url": url, "status": status, "content_type": content_type, "body": body,
            "sha256": sha256(body)}


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "archive.db"
    w = ArchiveWriter(str(path))
    for url, text, title, year, province, level, body, ctype, part in DOCS:
        pages = [_page(url, body, ctype)]
        if part:
            pages.append(_page(part[0], part[1]))
        w.store({
            "url": url, "portal": "p-" + url.split("/")[2], "title": title, "text": text,
            "text_sha256": sha256(text.encode()), "year": year, "province": province, "level": level,
            "issuer": (province or "某县") + "人民政府", "published": "2024-03-01",
            "is_report": True, "class_reason": "title:report", "pages": pages,
            "fetched_at": "2024-04-01T08:00:00Z",
        })
    # the GBK report seen again at a second URL: one document, two sources
    w.store({
        "url": "http://mirror.gov.cn/x.html", "portal": "mirror", "title": DOCS[0][2], "text": GBK_TEXT,
        "text_sha256": sha256(GBK_TEXT.encode()), "year": 2023, "province": "广东省", "level": "市级",
        "is_report": True, "class_reason": "title:report",
        "pages": [_page("http://mirror.gov.cn/x.html", GBK_BODY, "text/html; charset=gbk")],
        "fetched_at": "2024-04-02T08:00:00Z",
    })
    w.store({"url": LOOKALIKE[0], "portal": "p-zj", "title": "通知", "text": "通知",
             "text_sha256": sha256("通知".encode()), "is_report": False,
             "class_reason": "title:lookalike", "pages": [_page(LOOKALIKE[0], LOOKALIKE[1])],
             "fetched_at": "2024-04-01T09:00:00Z"})
    w.close()
    return path


def _gbk_doc_id(rows):
    return next(r["id"] for r in rows if r["text"] == GBK_TEXT)


def test_jsonl(archive, tmp_path):
    out = tmp_path / "out.jsonl"
    ticks = []
    assert export(archive, "jsonl", out, progress=ticks.append) == 4
    assert ticks == [4]
    raw = out.read_bytes()
    assert "广州市".encode() in raw  # ensure_ascii=False
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    assert len(rows) == 4
    gbk = next(r for r in rows if r["text"] == GBK_TEXT)
    assert gbk["province"] == "广东省" and gbk["year"] == 2023 and gbk["n_sources"] == 2
    assert {"text_sha256", "published_late", "canonical_url", "region_code"} <= set(gbk)
    assert [s["url"] for s in gbk["sources"]] == ["http://gd.gov.cn/a/1.html", "http://mirror.gov.cn/x.html"]
    assert gbk["sources"][1] == {"url": "http://mirror.gov.cn/x.html", "portal": "mirror",
                                 "fetched_at": "2024-04-02T08:00:00Z"}
    assert not (tmp_path / "out.jsonl.part").exists()


def test_csv_has_bom_and_reads_back(archive, tmp_path):
    out = tmp_path / "out.csv"
    assert export(archive, "csv", out) == 4
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert rows[0].keys() >= {"id", "title", "text", "year", "province", "source_urls"}
    gbk = next(r for r in rows if r["text"] == GBK_TEXT)  # multi-line text survives quoting
    assert gbk["source_urls"] == "http://gd.gov.cn/a/1.html http://mirror.gov.cn/x.html"
    assert gbk["year"] == "2023"


def test_parquet(archive, tmp_path):
    out = tmp_path / "out.parquet"
    assert export(archive, "parquet", out) == 4
    table = pq.read_table(out)
    assert table.num_rows == 4
    assert str(table.schema.field("year").type) == "int64"
    rows = table.to_pylist()
    gbk = next(r for r in rows if r["text"] == GBK_TEXT)
    assert gbk["title"] == "广州市2023年法治政府建设年度报告"
    assert [s["url"] for s in gbk["sources"]] == ["http://gd.gov.cn/a/1.html", "http://mirror.gov.cn/x.html"]
    undated = next(r for r in rows if r["province"] is None)
    assert undated["year"] is None


def test_parquet_empty_selection_is_a_valid_file(archive, tmp_path):
    out = tmp_path / "none.parquet"
    assert export(archive, "parquet", out, year=1999) == 0
    assert pq.read_table(out).num_rows == 0


def test_txt_files_manifest_and_safe_paths(archive, tmp_path):
    out = tmp_path / "txt"
    assert export(archive, "txt", out) == 4
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as f:
        manifest = list(csv.DictReader(f))
    assert len(manifest) == 4
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt"))
    assert files == sorted(m["path"] for m in manifest)
    root = out.resolve()
    for m in manifest:
        p = (out / m["path"]).resolve()
        assert root in p.parents
        assert ".." not in Path(m["path"]).parts
        assert not any(ch in m["path"] for ch in "\\\x00\n")
    gbk = next(m for m in manifest if m["title"] == DOCS[0][2])
    assert gbk["path"].startswith("广东省/2023/")
    assert (out / gbk["path"]).read_text(encoding="utf-8") == GBK_TEXT
    evil = next(m for m in manifest if m["title"] == EVIL_TITLE)
    parts = evil["path"].split("/")
    assert parts[:2] == ["未知", "unknown"] and len(parts) == 3
    assert (out / evil["path"]).read_text(encoding="utf-8") == DOCS[3][1]
    # nothing written outside the output folder
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("archive.db")) == ["txt"]


def test_txt_refuses_non_empty_folder(archive, tmp_path):
    out = tmp_path / "txt"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(ExportError, match="not an empty folder"):
        export(archive, "txt", out)
    assert (out / "mine.txt").read_text() == "keep"


def test_safe_component():
    s = safe_component("../../a/b", "x")
    assert "/" not in s and ".." not in s and s
    for evil in ("..", ".", "/", "\x00", "", None, " .. "):
        s = safe_component(evil, "fallback")
        assert s == "fallback"
    long = safe_component("报" * 500, "x")
    assert len(long.encode()) <= 150 and long
    assert safe_component("CON", "x") == "_CON"


def test_warc_all_pages(archive, tmp_path):
    out = tmp_path / "raw.warc.gz"
    assert export(archive, "warc", out) == 7  # 4 first pages, 1 part, 1 mirror copy, 1 look-alike
    with out.open("rb") as f:
        gzip.GzipFile(fileobj=f).read(4)  # gzip-compressed
    records = []
    with out.open("rb") as f:
        for rec in ArchiveIterator(f):
            records.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"),
                            rec.rec_headers.get_header("WARC-Date"),
                            rec.http_headers, rec.content_stream().read(), rec.rec_headers.protocol))
    assert records[0][0] == "warcinfo"
    assert records[0][5] == "WARC/1.1"
    responses = [r for r in records if r[0] == "response"]
    assert len(records) == 1 + len(responses)
    uris = [r[1] for r in responses]
    assert uris == ["http://gd.gov.cn/a/1.html", "http://gd.gov.cn/a/2.html", "http://gd.gov.cn/a/2_1.html",
                    "http://zj.gov.cn/b/3.html", "http://zj.gov.cn/b/4.html", "http://mirror.gov.cn/x.html",
                    LOOKALIKE[0]]


@pytest.mark.parametrize("rows", ["zstd", "zlib (older archives)"])
def test_warc_payloads_are_raw_bytes(archive, tmp_path, rows):
    if rows != "zstd":
        assert as_older_rows(archive) == 7
    out = tmp_path / "raw.warc.gz"
    n = export(archive, "warc", out)
    with out.open("rb") as f:
        responses = {rec.rec_headers.get_header("WARC-Target-URI"):
                     (rec.http_headers, rec.content_stream().read(), rec.rec_headers.get_header("WARC-Date"))
                     for rec in ArchiveIterator(f) if rec.rec_type == "response"}
    assert len(responses) == n
    expected = {
        "http://gd.gov.cn/a/1.html": GBK_BODY,
        "http://gd.gov.cn/a/2.html": DOCS[1][6],
        "http://gd.gov.cn/a/2_1.html": DOCS[1][8][1],
        "http://zj.gov.cn/b/3.html": DOCS[2][6],
        "http://zj.gov.cn/b/4.html": DOCS[3][6],
        "http://mirror.gov.cn/x.html": GBK_BODY,
        LOOKALIKE[0]: LOOKALIKE[1],
    }
    assert set(responses) == set(expected)
    for url, body in expected.items():
        assert responses[url][1] == body, url
    headers, _, date = responses["http://gd.gov.cn/a/1.html"]
    assert headers.protocol == "HTTP/1.1" and headers.get_statuscode() == "200"
    assert headers.get_header("Content-Type") == "text/html; charset=gbk"
    assert date == "2024-04-01T08:00:00Z"
    assert responses["http://zj.gov.cn/b/4.html"][0].get_header("Content-Type") == "application/octet-stream"


def test_warc_filtered_only_report_pages_of_matching_documents(archive, tmp_path):
    out = tmp_path / "gd2022.warc.gz"
    assert export(archive, "warc", out, province="广东省", year=2022) == 2
    with out.open("rb") as f:
        uris = [rec.rec_headers.get_header("WARC-Target-URI") for rec in ArchiveIterator(f)
                if rec.rec_type == "response"]
    assert uris == ["http://gd.gov.cn/a/2.html", "http://gd.gov.cn/a/2_1.html"]


@pytest.mark.parametrize("kwargs, titles", [
    ({"year": 2023}, {DOCS[0][2], DOCS[2][2]}),
    ({"province": "广东省"}, {DOCS[0][2], DOCS[1][2]}),
    ({"province": "广东省", "year": 2023}, {DOCS[0][2]}),
    ({"level": "市级"}, {DOCS[0][2], DOCS[2][2]}),
    ({"year": 1999}, set()),
])
def test_filters_give_exact_subset(archive, tmp_path, kwargs, titles):
    out = tmp_path / "f.jsonl"
    assert export(archive, "jsonl", out, **kwargs) == len(titles)
    got = [json.loads(line)["title"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(got) == sorted(titles)


def test_progress_every_500(tmp_path):
    path = tmp_path / "big.db"
    w = ArchiveWriter(str(path))
    for i in range(1203):
        text = f"报告{i}"
        w.store({"url": f"http://x.test/{i}.html", "title": f"报告{i}", "text": text,
                 "text_sha256": sha256(text.encode()), "is_report": True, "year": 2023,
                 "pages": [_page(f"http://x.test/{i}.html", b"<html></html>")]})
    w.close()
    ticks = []
    assert export(path, "csv", tmp_path / "big.csv", progress=ticks.append) == 1203
    assert ticks == [500, 1000, 1203]


def test_bad_input(archive, tmp_path):
    with pytest.raises(ArchiveError, match="no such archive"):
        export(tmp_path / "missing.db", "jsonl", tmp_path / "o.jsonl")
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(ExportError, match="does not exist"):
        export(archive, "jsonl", tmp_path / "nope" / "o.jsonl")
    with pytest.raises(ExportError, match="unknown format"):
        export(archive, "xml", tmp_path / "o.xml")
    with pytest.raises(ExportError, match="archive itself"):
        export(archive, "jsonl", archive)
    assert issubclass(ExportError, ValueError)


def test_failure_leaves_no_file_under_final_name(archive, tmp_path, monkeypatch):
    import archive.export as mod

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(mod, "_write_jsonl", boom)
    out = tmp_path / "o.jsonl"
    with pytest.raises(RuntimeError):
        export(archive, "jsonl", out)
    assert not out.exists() and not (tmp_path / "o.jsonl.part").exists()


def test_cli(archive, tmp_path, capsys):
    out = tmp_path / "cli.jsonl"
    assert cli_main(["export", "--db", str(archive), "--format", "jsonl", "--out", str(out),
                            "--province", "浙江省"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert "exported 1 reports" in capsys.readouterr().out
    assert cli_main(["export", "--db", str(tmp_path / "nope.db"), "--format", "csv",
                            "--out", str(tmp_path / "x.csv")]) == 2
    assert "no such archive" in capsys.readouterr().err
    assert cli_main(["export", "--db", str(archive), "--format", "csv",
                            "--out", str(tmp_path / "no" / "x.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["export", "--help"])
    assert "lawgov export --db data/archive.db" in capsys.readouterr().out
