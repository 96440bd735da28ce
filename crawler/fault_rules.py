"""What a hostile or broken web looks like, kept as data (applied by crawler/middlewares.py and the
spider's errback). Sources: ../shared/REAL-WEB-NOTES.md (加速乐, 瑞数 and other WAF interstitials).
"""

import re

# Anti-bot interstitials served instead of the page. A response is a challenge when its status is in
# `statuses`, its body is at most `max_bytes` long (interstitials are small; a long article that
# happens to mention 安全验证 is not one) and the marker occurs in it.
CHALLENGE_RULES = [
    # 加速乐 (Knownsec): a JS snippet computes the __jsl_clearance cookie, then reloads (521 or 200)
    {"name": "jsl", "marker": re.compile(rb"__jsl_clearance|_jsl_clearance_s|document\.cookie=\('_j"),
     "statuses": {200, 521}, "max_bytes": 64 * 1024},
    # 瑞数 (River Security): obfuscated JS defining $_ts, usually status 412
    {"name": "ruishu", "marker": re.compile(rb"\$_ts\s*=|\$_ts\.|\$_ts\[|\xe7\x91\x9e\xe6\x95\xb0"),
     "statuses": {200, 202, 412}, "max_bytes": 64 * 1024},
    # generic verification walls (UTF-8 and GBK spellings of 安全验证 / 访问验证 / 人机验证 / 滑动验证)
    {"name": "verify", "marker": re.compile(
        "安全验证|访问验证|人机验证|滑动验证|请开启JavaScript|请启用JavaScript".encode("utf-8") + rb"|"
        + "安全验证|访问验证|人机验证|滑动验证".encode("gb18030")),
     "statuses": {200, 403, 412, 521}, "max_bytes": 16 * 1024},
]

# Attachments are not junk: document files (pipelines/attachments.py MIME_TYPES, extensions) are
# passed on untouched; the pipelines decide.

# Bytes that no HTML page starts with (after whitespace): file signatures.
BINARY_SIGNATURES = (
    b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b",
    b"BZh", b"Rar!", b"7z\xbc\xaf", b"MZ", b"\x7fELF", b"OggS", b"ID3", b"RIFF",
)
SNIFF_BYTES = 4096
# Share of control bytes (not tab/CR/LF/FF/ESC) in the first SNIFF_BYTES above which a page is binary.
MAX_CONTROL_RATIO = 0.02
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Crawler traps: URLs that generate more URLs forever. Checked before a request is made.
TRAP_RULES = {
    # the same path segment this many times or more: ../a/../a/ relative-link loops
    "max_segment_repeats": 3,
    # page numbers past this are never a real list page (LAWGOV_MAX_LIST_PAGES stops walks earlier)
    "max_page_number": 1000,
    "page_number": [
        re.compile(r"/index_(\d+)\.\w+$"),
        re.compile(r"[?&](?:page|pageNum|pageNo|pageIndex|cur_page|curPage|currentPage|pn|p)=(\d+)", re.I),
    ],
    # calendar widgets: one URL per day/month, prev/next links forever
    "calendar": re.compile(
        r"[?&](?:date|day|month|ym|riqi|rq|calendar|cal_date|caldate)=\d{4}-?\d{1,2}|"
        r"[?&]year=\d{4}&(?:amp;)?month=\d|/calendar/\d{4}", re.I),
}

# Fetch failures: how each is named in fetch_errors.kind and whether it is retried within the run
# (RetryMiddleware has already retried 5xx, timeouts and resets; `retry` is for the spider's errback).
# Matched in order against (exception class names along the MRO, message).
ERROR_KINDS = [
    {"kind": "challenge", "exception": "FetchFault", "message": r"^challenge", "retry": True},
    {"kind": "not_html", "exception": "FetchFault", "message": r"^not_html", "retry": True},
    {"kind": "redirect_loop", "exception": "IgnoreRequest", "message": r"max redirections", "retry": True},
    {"kind": "too_large", "exception": "IgnoreRequest", "message": r"DOWNLOAD_MAXSIZE", "retry": True},
    {"kind": "too_large", "exception": "DownloadCancelledError", "message": r"max size|maxsize", "retry": False},
    {"kind": "timeout", "exception": "DownloadTimeoutError", "message": r"", "retry": True},
    {"kind": "timeout", "exception": "TimeoutError", "message": r"", "retry": True},
    {"kind": "truncated", "exception": "ResponseDataLossError", "message": r"", "retry": True},
    {"kind": "truncated", "exception": "ResponseFailed", "message": r"DataLoss", "retry": True},
    {"kind": "connection", "exception": "DownloadFailedError", "message": r"", "retry": True},
    {"kind": "connection", "exception": "DownloadConnectionRefusedError", "message": r"", "retry": True},
    {"kind": "connection", "exception": "CannotResolveHostError", "message": r"", "retry": True},
    {"kind": "connection", "exception": "ResponseFailed", "message": r"", "retry": True},
    {"kind": "connection", "exception": "ResponseNeverReceived", "message": r"", "retry": True},
    {"kind": "connection", "exception": "ConnectionLost", "message": r"", "retry": True},
    {"kind": "connection", "exception": "ConnectionDone", "message": r"", "retry": True},
    {"kind": "connection", "exception": "ConnectError", "message": r"", "retry": True},
    {"kind": "http", "exception": "HttpError", "message": r"", "retry": False},
]
