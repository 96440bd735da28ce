"""The raw bytes of an archived page, as ``pages.body`` holds them: compressed.

New pages are stored as Zstandard frames (level 3). Archives written before (lawgov issue 11,
session 10) hold zlib streams, and keep them: ``page_body`` reads both, told apart by the frame's
first four bytes (the zstd magic number 28 B5 2F FD, which cannot start a zlib stream: its first two
bytes fail zlib's header check).

Why zstd: on the large sample web's article pages (16.6 kB) zlib level 4 took 247 µs a page to
compress and 76 µs to decompress, zstd level 3 69 and 24, for 6.7 % more bytes (ratio 0.422 vs
0.396 of the raw size; ~1 % of the archive per report). Compressing was 3-4 % of a backfill crawl's
CPU (`make bench`), decompressing a tenth of `lawgov reprocess`'s reading.

Outside lawgov: ``python -c "import zstandard, sys; ..."`` or ``zstd -d``; a zlib body (older
rows) starts with the byte 0x78.
"""

from __future__ import annotations

import threading
import zlib

import zstandard

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
ZSTD_LEVEL = 3

_local = threading.local()  # a zstd (de)compressor context may not be shared between threads


def _compressor() -> zstandard.ZstdCompressor:
    c = getattr(_local, "compressor", None)
    if c is None:
        c = _local.compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)  # frames carry their size
    return c


def _decompressor() -> zstandard.ZstdDecompressor:
    d = getattr(_local, "decompressor", None)
    if d is None:
        d = _local.decompressor = zstandard.ZstdDecompressor()
    return d


def compress_page(raw: bytes) -> bytes:
    """``raw`` as ``pages.body`` stores it."""
    return _compressor().compress(raw)


def page_body(stored: bytes) -> bytes:
    """The raw bytes of a ``pages.body`` value, zstd (lawgov's) or zlib (archives written before)."""
    if stored[:4] == ZSTD_MAGIC:
        return _decompressor().decompress(stored)
    return zlib.decompress(stored)
