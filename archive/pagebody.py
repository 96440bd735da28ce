"""The raw bytes of an archived page, as ``pages.body`` holds them: compressed.

New pages are stored as Zstandard frames (level 3). Archives written before (issue 11) hold zlib
streams, and keep them: ``page_body`` reads both, told apart by the first four bytes (the zstd magic
number 28 B5 2F FD, which cannot start a zlib stream: its first two bytes fail zlib's header check).

Why zstd: on the large sample web's article pages (16.6 kB), zlib level 4 took 247 µs a page to
compress and 76 µs to decompress, zstd level 3 60 and 36, for 6.7 % more bytes (0.422 of the raw size
against 0.396; +0.9 % of the archive). Compressing was ~3 % of a backfill crawl's CPU.

zstd is Python 3.14's ``compression.zstd``; before 3.14 its backport, ``backports.zstd``, which
Scrapy already requires. Reading a page outside lawgov::

    python -c "import sqlite3, sys; from archive.pagebody import page_body;
    sys.stdout.buffer.write(page_body(sqlite3.connect('data/archive.db').execute(
    'SELECT body FROM pages WHERE id = 1').fetchone()[0]))"
"""

from __future__ import annotations

import sys
import threading
import zlib

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
ZSTD_LEVEL = 3

_local = threading.local()  # one compression context per thread, reused: a new one per page costs ~40 µs


def compress_page(raw: bytes) -> bytes:
    """``raw`` as ``pages.body`` stores it: one zstd frame."""
    compressor = getattr(_local, "compressor", None)
    if compressor is None:
        compressor = _local.compressor = zstd.ZstdCompressor(level=ZSTD_LEVEL)
    return compressor.compress(raw, mode=zstd.ZstdCompressor.FLUSH_FRAME)


def page_body(stored: bytes) -> bytes:
    """The raw bytes of a ``pages.body`` value, zstd (lawgov's) or zlib (archives written before)."""
    if stored[:4] == ZSTD_MAGIC:
        return zstd.decompress(stored)
    return zlib.decompress(stored)
