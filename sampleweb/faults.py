"""Fault mode for the sample web: the ways real portals fail, seeded and reproducible.

    web = SampleWeb(faults=FaultPlan(rate=0.2, seed=7))     # python -m sampleweb serve --faults 0.2

Transient faults (FAULTS) hit a seeded ``rate`` share of GET URLs. Each faulted URL misbehaves on
its first ``bad_attempts`` requests and is served properly afterwards, so retries and re-runs
recover it. ``bad_attempts`` is 1..``max_bad_attempts`` (default 2: recovered within a run at
RETRY_TIMES=2) for every page, and up to ``leaf_bad_attempts`` (default 3: outlasting a run) for
article pages (first parts) only. Why leaves only: a list page that fails a whole run hides its
articles until the next run, which then sees them for the first time with a fresh fault budget; so
with run-outlasting faults on lists no fixed number of runs is enough. Articles hide nothing.

Permanent traps, on every portal whose home page is crawled (links injected into the home page):
an endless pagination list with calendar links under /_trap/ (index_N.html forever, 下一页, 尾页,
day links ?date=YYYY-MM-DD, a relative link that nests /_trap/ folders), and a 10 MB list page at
/_big/index.html (linked from the first portal's home page only). robots.txt and POSTs are never faulted.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache

# name, the kind the crawler should record if the fault outlasts its retries (None: the page is
# served whole, only its headers lie: the crawler must cope and archive it right)
FAULTS = (
    ("http_500", "http_500"),
    ("http_502", "http_502"),
    ("http_503", "http_503"),
    ("timeout", "timeout"),            # hold the connection past the crawler's DOWNLOAD_TIMEOUT
    ("reset", "connection"),           # TCP RST instead of an answer
    ("truncated", "truncated"),        # Content-Length larger than what is sent
    ("wrong_content_type", None),      # application/octet-stream or text/plain for an HTML page
    ("wrong_charset", None),           # a charset header that is not the page's
    ("gzip_bomb", "too_large"),        # ~70 KB of gzip inflating to 64 MB
    ("redirect_loop", "redirect_loop"),  # 302 to ?_loop=N+1, forever
    ("junk_html", "not_html"),         # random bytes served as text/html
    ("challenge_jsl", "challenge"),    # 加速乐: status 521 or 200, __jsl_clearance cookie script
    ("challenge_ruishu", "challenge"),  # 瑞数: status 412 or 200, $_ts script
)
FAULT_KINDS = dict(FAULTS)
TRAP_PREFIX = "/_trap/"
BIG_PATH = "/_big/index.html"
BIG_SIZE = 10 * 1024 * 1024
BOMB_SIZE = 64 * 1024 * 1024
LOOP_PARAM = "_loop"
_LOOP = re.compile(r"[?&]" + LOOP_PARAM + r"=(\d+)")
_INDEX_N = re.compile(r"index_(\d+)\.html$")


@lru_cache(maxsize=4)
def gzip_bomb(size: int = BOMB_SIZE) -> bytes:
    return gzip.compress(b"<html><body>" + b" " * size, compresslevel=9)


@dataclass
class FaultPlan:
    rate: float = 0.2
    seed: int = 0
    timeout_hold: float = 3.0   # seconds a "timeout" holds the connection (> the crawler's timeout)
    max_bad_attempts: int = 2
    leaf_bad_attempts: int = 3
    traps: bool = True
    # Sizes of the 10 MB page and of the gzip bomb's inflated body. Tests lower them together with
    # the crawler's DOWNLOAD_MAXSIZE (the same checks at a fraction of the bytes and CPU).
    big_size: int = BIG_SIZE
    bomb_size: int = BOMB_SIZE
    leaf_paths: set = field(default_factory=set)       # (host, path) of article first parts
    big_host: str = ""                                 # the portal whose home page links the 10 MB page
    _attempts: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bind(self, web) -> "FaultPlan":
        """Learn which paths are articles (first parts, gateway copies included) from ``web``."""
        from sampleweb.model import part_paths

        for p in web.portals:
            prefixes = [""] + ([p.gateway_prefix] if p.gateway else [])
            self.leaf_paths |= {(p.host, pre + part_paths(a)[0]) for a in p.articles for pre in prefixes}
        self.big_host = web.portals[0].host  # one 10 MB page is enough (parsing it takes ~1 s of CPU)
        return self

    # -- the seeded choice ---------------------------------------------------------------------
    def _rng(self, host: str, path: str) -> random.Random:
        digest = hashlib.sha256(f"{self.seed}\0{host}\0{path}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def fault_for(self, host: str, path: str) -> tuple[str, int] | None:
        """(fault name, bad attempts) for GET ``path`` on ``host``, or None: same answer every call."""
        if path == "/robots.txt" or path.startswith((TRAP_PREFIX, BIG_PATH)) or LOOP_PARAM + "=" in path:
            return None
        rng = self._rng(host, path)
        if rng.random() >= self.rate:
            return None
        name = FAULTS[rng.randrange(len(FAULTS))][0]
        most = self.leaf_bad_attempts if (host, path) in self.leaf_paths else self.max_bad_attempts
        return name, rng.randint(1, most)

    def attempt(self, host: str, path: str) -> int:
        with self._lock:
            n = self._attempts[(host, path)] = self._attempts.get((host, path), 0) + 1
        return n

    # -- serving -------------------------------------------------------------------------------
    def serve(self, handler, method: str, body: bytes) -> None:
        """Answer one request on ``handler`` (a sampleweb _Handler), faults included."""
        try:
            self._serve(handler, method, body)
        except (ConnectionError, TimeoutError):  # the client gave up first (its timeout, a cancel)
            handler.close_connection = True

    def _serve(self, handler, method: str, body: bytes) -> None:
        from sampleweb.server import split_target

        web = handler.sampleweb
        host, path = split_target(handler.path, handler.headers.get("Host"))
        site = web.sites.get(host)
        if site is not None and self.traps and method == "GET" and path.startswith((TRAP_PREFIX, BIG_PATH)):
            web.record(method, host, path)
            return _send(handler, method, 200, {"Content-Type": f"text/html; charset={site.p.charset}"},
                         _trap_page(site, path, self.big_size))
        if site is not None and method == "GET" and (m := _LOOP.search(path)):
            web.record(method, host, path)
            nxt = _LOOP.sub(lambda mm: f"{mm.group(0)[0]}{LOOP_PARAM}={int(mm.group(1)) + 1}", path)
            return _send(handler, method, 302, {"Location": f"http://{host}{nxt}"}, b"")
        status, headers, data = web.respond(method, handler.path, handler.headers.get("Host"), body,
                                            headers=handler.headers)
        if site is None or status != 200 or method != "GET":
            return _send(handler, method, status, headers, data)
        if self.traps and path in (site.p.home, "/") and "html" in headers.get("Content-Type", ""):
            data = _with_trap_links(site, data, big=host == self.big_host)
        fault = self.fault_for(host, path)
        if fault is None or self.attempt(host, path) > fault[1]:
            return _send(handler, method, status, headers, data)
        return self._misbehave(handler, fault[0], host, path, headers, data, site)

    def _misbehave(self, handler, name, host, path, headers, data, site) -> None:
        rng = self._rng(host, path + "#detail")
        if name.startswith("http_"):
            status = int(name[5:])
            return _send(handler, "GET", status, {"Content-Type": "text/html"},
                         f"<html><body><h1>{status}</h1></body></html>".encode())
        if name == "timeout":
            time.sleep(self.timeout_hold)
            handler.close_connection = True
            return None
        if name == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
            handler.close_connection = True
            return None
        if name == "truncated":
            return _send(handler, "GET", 200, headers, data[: len(data) // 2], length=len(data))
        if name == "wrong_content_type":
            return _send(handler, "GET", 200, {**headers, "Content-Type": rng.choice(
                ["application/octet-stream", "text/plain"])}, data)
        if name == "wrong_charset":
            wrong = "gbk" if site.p.encoding == "utf-8" else "utf-8"
            return _send(handler, "GET", 200, {**headers, "Content-Type": "text/html; charset=" + rng.choice(
                [wrong, "iso-8859-1"])}, data)
        if name == "gzip_bomb":
            return _send(handler, "GET", 200, {**headers, "Content-Encoding": "gzip"}, gzip_bomb(self.bomb_size))
        if name == "redirect_loop":
            sep = "&" if "?" in path else "?"
            return _send(handler, "GET", 302, {"Location": f"http://{host}{path}{sep}{LOOP_PARAM}=1"}, b"")
        if name == "junk_html":
            return _send(handler, "GET", 200, {"Content-Type": "text/html; charset=utf-8"},
                         rng.randbytes(3000))
        if name == "challenge_jsl":
            return _send(handler, "GET", rng.choice([521, 200]),
                         {"Content-Type": "text/html", "Set-Cookie": "__jsluid_h=0a1b2c; path=/"},
                         JSL_CHALLENGE)
        if name == "challenge_ruishu":
            return _send(handler, "GET", rng.choice([412, 200]), {"Content-Type": "text/html"},
                         RUISHU_CHALLENGE)
        raise ValueError(name)


JSL_CHALLENGE = (
    b"<script>document.cookie=('_')+('_')+('j')+('sl')+('_')+('cl')+('ea')+('r')+('a')+('n')+('ce')"
    b"+('=')+(+new Date()/1000|0)+('|0|')+('xZ6ZkqBoBQ%3D')+(';Expires=Mon, 01-Jan-2099 00:00:00 GMT;"
    b"Path=/;');__jsl_clearance='1700000000.1|0|xZ6ZkqBoBQ';location.href=location.pathname+"
    b"location.search</script>"
)
RUISHU_CHALLENGE = (
    b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b'<meta id="9DhefwqGPrzGxEp9hPaoag" content="Q3x0ZWN0Lm9mZmljZS5nb3YuY24"><script type="text/javascript"'
    b" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=53208;$_ts.cd=\"qGHCrAlkqqlhqGWxDsWhpGq\";"
    b"</script><script type=\"text/javascript\" charset=\"utf-8\" src=\"/4QbVtADbnLVIc/d.FxJzG50F.ce54c7a.js\" "
    b"r='m'></script></head><body></body></html>"
)


def _send(handler, method: str, status: int, headers: dict, data: bytes, length: int | None = None) -> None:
    handler.send_response(status)
    for k, v in headers.items():
        if k.lower() != "content-length":
            handler.send_header(k, v)
    if status != 304:
        handler.send_header("Content-Length", str(len(data) if length is None else length))
    handler.end_headers()
    if method != "HEAD" and status != 304:
        handler.wfile.write(data)
    if length is not None:  # a truncated body: the connection drops before Content-Length is met
        handler.wfile.flush()
        handler.close_connection = True


def _with_trap_links(site, data: bytes, big: bool) -> bytes:
    links = '<div class="trap"><a href="/_trap/index.html">通知公告</a>' + (
        ' <a href="/_big/index.html">政务公开</a>' if big else "") + "</div>"
    return data.replace(b"</body>", links.encode(site.p.encoding) + b"</body>", 1)


def _trap_page(site, path: str, big_size: int = BIG_SIZE) -> bytes:
    if path.startswith(BIG_PATH):
        row = "<p>政务公开 这是一个很长的列表页面，用来检验下载大小的处理。</p>\n".encode(site.p.encoding)
        head = f'<html><head><meta charset="{site.p.charset}"><title>政务公开</title></head><body>'
        return head.encode(site.p.encoding) + row * (big_size // len(row) + 1) + b"</body></html>"
    n = int(m.group(1)) if (m := _INDEX_N.search(path)) else 0
    days = "".join(f'<a href="?date=2024-03-{d:02d}">{d}</a> ' for d in range(1, 32))
    html = (f'<html><head><meta charset="{site.p.charset}"><title>通知公告 第{n + 1}页</title></head><body>'
            f'<ul><li>暂无信息</li></ul><div class="calendar">{days}</div>'
            f'<div class="page"><a href="index_{n + 1}.html">下一页</a> <a href="index_{n + 5000}.html">尾页</a>'
            f'</div><a href="_trap/index.html">通知公告</a></body></html>')
    return html.encode(site.p.encoding)
