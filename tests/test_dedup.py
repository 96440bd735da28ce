"""Tests for pipelines.dedup (near-duplicate core)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipelines.dedup import NearDupIndex, canonical_order, guard_blocks, same_government, shingles
from pipelines.eval_dedup import evaluate, load_pairs

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def pairs():
    return load_pairs(DATA / "dedup_pairs.jsonl")


@pytest.fixture(scope="module")
def report(pairs):
    return next(p["a"] for p in pairs if p["kind"] == "real_repost")


def test_pair_set_size(pairs):
    assert len(pairs) >= 60
    kinds = {p["kind"] for p in pairs}
    assert {"truncated", "year_variant", "jiedu", "pinyin", "traditional", "spam"} <= kinds


def test_precision_recall_perfect(pairs):
    r = evaluate(pairs)
    assert r["text_only"][:2] == (1.0, 1.0)
    assert r["guarded"][:2] == (1.0, 1.0)
    assert r["min_same"] > 0.9 > r["max_diff"]


def test_shingles_ignore_whitespace_and_script():
    assert shingles("法治 政府\n建设") == shingles("法治政府建設")
    assert shingles("ab") == {"ab"} and shingles("") == set()


def test_year_guard_blocks(report):
    idx = NearDupIndex()
    idx.add("r2023", report, "南充市人民政府", 2023)
    assert idx.query(report, "南充市人民政府", 2023)[0][0] == "r2023"
    assert idx.query(report, "南充市人民政府", 2022) == []
    assert idx.query(report, None, None)  # unknown = no block


def test_issuer_guard(report):
    edited = report[: int(len(report) * 0.7)]  # verified copy (containment), J < 0.9
    idx = NearDupIndex()
    idx.add("r", report, "南充市人民政府", 2023)
    assert idx.query(edited, "南充市人民政府", 2023)
    assert idx.query(edited, "南充市", 2023)  # same government after normalization
    assert idx.query(edited, "南充市司法局", 2023)  # department of the same city
    assert idx.query(edited, "台州市椒江区人民政府", 2023) == []  # different government
    assert idx.query(report, "台州市椒江区人民政府", 2023)  # verbatim repost under another name
    assert same_government("南充市人民政府", "南充市 人民政府") is True
    assert same_government(None, "南充市人民政府") is None
    assert guard_blocks("铁岭县人民政府", 2021, "南充市人民政府", 2021, 0.5) == "issuer"


def test_containment_catches_truncation(report):
    idx = NearDupIndex()
    idx.add("full", report, None, 2021)
    res = idx.query(report[: int(len(report) * 0.6)], None, 2021)
    assert res and res[0][0] == "full" and res[0][1] > 0.95


def test_persistence_round_trip(pairs):
    docs = {f"d{i}": p["a"] for i, p in enumerate(pairs[:30])}
    idx = NearDupIndex()
    for i, (d, t) in enumerate(docs.items()):
        idx.add(d, t, "南充市人民政府" if i % 2 else None, 2020 + i % 4)
    blob = idx.to_bytes()
    assert b"pickle" not in blob[:6]
    loaded = NearDupIndex.from_bytes(blob, loader=docs.__getitem__)
    loaded_sh = NearDupIndex.from_bytes(idx.to_bytes(include_shingles=True))
    assert len(loaded) == len(idx) == len(loaded_sh)
    for p in pairs:
        for issuer, year in ((None, None), ("南充市人民政府", 2021)):
            expect = idx.query(p["b"], issuer, year)
            assert loaded.query(p["b"], issuer, year) == expect
            assert loaded_sh.query(p["b"], issuer, year) == expect


def test_canonical_order():
    base = dict(issuer="南充市人民政府", text="x" * 100, published="2024-03-01", converted=False)
    big5 = dict(base, converted=True, portal_issuer="南充市人民政府", text="x" * 200, id="big5")
    own = dict(base, portal_issuer="南充市人民政府", id="own")
    repost = dict(base, portal_issuer="四川省人民政府", text="x" * 150, id="repost")
    assert [c["id"] for c in canonical_order([big5, repost, own])] == ["own", "repost", "big5"]
    short = dict(own, text="x" * 60, id="short")
    assert [c["id"] for c in canonical_order([short, own])] == ["own", "short"]
    late = dict(own, published="2024-05-01", id="late")
    nodate = dict(own, published=None, id="nodate")
    assert [c["id"] for c in canonical_order([nodate, late, own])] == ["own", "late", "nodate"]


def test_converted_copies_are_recognized_by_the_raw_page():
    from pipelines.dedup import is_converted
    assert is_converted("http://www.xiangshan.gov.cn/gate/big5/www.xiangshan.gov.cn/a.html")
    assert is_converted("http://x.gov.cn/a.html", "big5")
    assert is_converted("http://x.gov.cn/a.html", "utf-8", b'<html lang="zh-TW"><body>')
    assert not is_converted("http://x.gov.cn/a.html", "gb18030", b'<html lang="zh-CN"><body>')


def test_clean_lengths_ignore_injected_lines():
    from pipelines.dedup import clean_lengths
    orig = "第一段内容\n第二段内容\n第三段内容"
    spam = "第一段内容\n澳门新葡京娱乐场注册即送\n第二段内容\n第三段内容"
    trunc = "第一段内容\n第二段内容"
    assert clean_lengths([orig, spam, trunc]) == [15, 15, 10]
    assert clean_lengths([spam]) == [len(spam.replace("\n", ""))]


def test_canonical_own_site_is_strict():
    base = dict(issuer="台州市椒江区人民政府", text="x" * 100, published=None)
    city = dict(base, portal_issuer="台州市人民政府", text="x" * 150, id="city")  # a repost by the city
    own = dict(base, portal_issuer="椒江区人民政府", id="own")  # issuer_key 椒江区 ≠ 台州市椒江区
    own2 = dict(base, portal_issuer="台州市椒江区人民政府", id="own2")
    assert [c["id"] for c in canonical_order([city, own, own2])] == ["own2", "city", "own"]


def test_signature_agreement_estimates_jaccard(pairs):
    idx = NearDupIndex()
    for p in pairs:
        (ha, sa), (hb, sb) = idx.prepare(p["a"]), idx.prepare(p["b"])
        from pipelines.dedup import similarity
        j = similarity(ha, hb)[0]
        assert abs(float((sa == sb).mean()) - j) < 0.2, p["note"]


def test_bulk_rebuild_matches_incremental_index(pairs):
    inc = NearDupIndex(keep_shingles=False)
    inc._bands.MERGE_EVERY = 7  # exercise the merge of recent inserts into the sorted arrays
    texts = {f"d{i}": p["a"] for i, p in enumerate(pairs)}
    for d, t in texts.items():
        inc.add(d, t, None, None)
    bulk = NearDupIndex(keep_shingles=False, loader=texts.__getitem__)
    ids = list(texts)
    bulk.add_signatures(ids, np.stack([inc.signature(d)[0] for d in ids]),
                        [inc.signature(d)[1] for d in ids], [None] * len(ids), [None] * len(ids))
    inc.loader = texts.__getitem__
    for p in pairs:
        assert bulk.candidates(p["b"]) == inc.candidates(p["b"])
        assert bulk.query(p["b"]) == inc.query(p["b"])
    # replacing a document's signature (its canonical text changed) drops the old one
    bulk.add_signature("d0", *inc.signature("d1"))
    assert "d0" in bulk.candidates(texts["d1"]) and len(bulk) == len(texts)


def test_tiny_texts_are_matched_exactly_only(report):
    idx = NearDupIndex()
    idx.add("short", "报告100", None, 2023)
    assert idx.query("报告1000", None, 2023) == []  # containment 1.0, but two shingles prove nothing
    idx.add("long", report[:80], None, 2023)
    assert idx.query(report[:80] + "打印本页", None, 2023)[0][0] == "long"


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.7, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_band_parameters_agree_with_datasketch(threshold, num_perm):
    # our numpy integration picks the same (bands, rows) as datasketch's scipy one
    from datasketch.lsh import _optimal_param as datasketch_optimal_param

    from pipelines.dedup import _optimal_param

    assert _optimal_param(threshold, num_perm, 0.5, 0.5) == datasketch_optimal_param(threshold, num_perm, 0.5, 0.5)
