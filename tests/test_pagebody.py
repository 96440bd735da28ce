"""Raw pages in the archive (archive/pagebody.py): zstd frames for new rows, zlib in older archives'
rows, both read back byte for byte."""

import random
import zlib

import pytest

from archive.pagebody import ZSTD_MAGIC, compress_page, page_body, zstd

GBK_PAGE = "<html><meta charset=gbk><p>关于2023年度法治政府建设情况的报告</p></html>".encode("gbk")


def bodies():
    rng = random.Random(3)
    return [b"", b"x", GBK_PAGE, GBK_PAGE * 500, "　".encode() * 7,
            bytes(rng.randrange(256) for _ in range(70_000)),  # incompressible (a PDF's streams)
            b"%PDF-1.4\n" + bytes(rng.randrange(8) for _ in range(5000))]


@pytest.mark.parametrize("raw", bodies(), ids=lambda b: f"{len(b)}B")
def test_new_rows_are_zstd_frames_that_read_back(raw):
    stored = compress_page(raw)
    assert stored[:4] == ZSTD_MAGIC
    assert page_body(stored) == raw


@pytest.mark.parametrize("level", [-1, 0, 1, 4, 6, 9])
def test_zlib_rows_of_older_archives_read_back(level):
    for raw in bodies():
        assert page_body(zlib.compress(raw, level)) == raw


def test_a_zstd_frame_cannot_be_mistaken_for_a_zlib_stream():
    # zlib's header: CMF, FLG with (CMF * 256 + FLG) % 31 == 0; the magic's first two bytes fail it
    assert (ZSTD_MAGIC[0] * 256 + ZSTD_MAGIC[1]) % 31 != 0
    with pytest.raises(zlib.error, match="incorrect header check"):
        zlib.decompress(compress_page(GBK_PAGE))
    # and no zlib stream starts with it (zlib.compress writes 0x78 first, whatever the level)
    assert {zlib.compress(raw, level)[:1] for raw in bodies() for level in range(-1, 10)} == {b"\x78"}


def test_a_broken_body_fails_loudly():
    with pytest.raises(zstd.ZstdError):  # a truncated frame: never silently wrong bytes
        page_body(compress_page(GBK_PAGE * 50)[:-20])
    with pytest.raises(zlib.error):
        page_body(b"not compressed at all")
