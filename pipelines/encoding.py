"""Turn the bytes of a fetched page into text.

``decode_html(body, content_type)`` → (text, encoding name). Order: byte-order mark, the HTTP
Content-Type charset, ``<meta charset>`` / ``<meta http-equiv content="…charset=…">`` in the first
few KB, detection (charset-normalizer), else UTF-8 with replacement characters.

A declared charset is only trusted if the bytes decode under it strictly; otherwise the usual
suspects are tried (UTF-8, GB18030, Big5-HKSCS) and then detection, so a wrong declaration gives
text rather than mojibake. GB2312/GBK declarations are decoded as GB18030 (a superset: pages
declaring gb2312 routinely hold characters outside it). Never raises.
"""

from __future__ import annotations

import codecs
import re

from pipelines import rules

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I)
_META_CHARSET = re.compile(
    rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]+)", re.I | re.S
)
_WEAK = {codecs.lookup(n).name for n in rules.WEAK_CHARSETS}
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:\-]+)", re.I)


def normalize_charset(name: str | None) -> str | None:
    """Map a declared charset name to the codec to use (None if unknown)."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    key = rules.CHARSET_ALIASES.get(key, key)
    try:
        codec = codecs.lookup(key).name
    except LookupError:
        return None
    return rules.CHARSET_ALIASES.get(codec, codec)


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def charset_from_meta(body: bytes) -> str | None:
    head = body[: rules.META_SNIFF_BYTES]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "ignore") if m else None


def _strict(body: bytes, codec: str) -> str | None:
    """Strict decode; an incomplete character at the very end (a cut download) is tolerated."""
    try:
        decoder = codecs.getincrementaldecoder(codec)("strict")
        return decoder.decode(body, final=False)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_utf8(body: bytes) -> bool:
    """UTF-8 with a fair number of multi-byte characters and at most a stray damaged byte or two
    (CMSes cut strings in the middle of a character): a GBK page practically never is."""
    if body.isascii():
        return False
    text = body.decode("utf-8", "replace")
    errors = text.count("\ufffd")
    # non-ASCII characters, counted in C (a per-character generator cost ~10 % of processing)
    wide = len(text) - len(text.encode("ascii", "ignore")) - errors
    return wide >= 4 and errors * rules.UTF8_MAX_ERROR_RATIO <= wide


def _detect(body: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:200_000]).best()
    except Exception:  # noqa: BLE001 - detection is best effort
        return None
    if best is None or not best.encoding:
        return None
    codec = normalize_charset(best.encoding)
    if not codec:
        return None
    text = _strict(body, codec)
    if text is None:
        return None
    return text, codec


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a fetched page. Returns (text, codec name such as 'utf-8' or 'gb18030')."""
    if not body:
        return "", "utf-8"
    if isinstance(body, str):  # tolerate callers that already decoded
        return body, "utf-8"
    body = bytes(body)

    # 1. byte-order mark
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, "replace"), codec

    # UTF-16 without a BOM: every other byte of the markup is NUL
    sample = body[:400]
    if len(sample) >= 16 and sample.count(0) * 3 >= len(sample):
        odd_nuls = sample[1::2].count(0)
        even_nuls = sample[0::2].count(0)
        codec = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
        return body[: len(body) // 2 * 2].decode(codec, "replace"), codec

    # 2. HTTP header, 3. <meta> / XML declaration
    declared = normalize_charset(charset_from_content_type(content_type)) or normalize_charset(
        charset_from_meta(body)
    )

    if body.isascii():
        if declared and not declared.startswith(("utf-16", "utf-32")):
            return body.decode("ascii"), declared
        return body.decode("ascii"), "utf-8"

    if declared in _WEAK or declared in ("utf-16", "utf-32"):
        declared = None  # a Western single-byte charset on a Chinese page is a template default

    if declared:
        # A GB-family declaration over bytes that are UTF-8 is a mislabelled UTF-8 page (the
        # reverse, GBK text that happens to be valid UTF-8, practically never occurs).
        if declared != "utf-8" and _looks_utf8(body):
            return body.decode("utf-8", "replace"), "utf-8"
        text = _strict(body, declared)
        if text is not None:
            return text, declared
        # A stray damaged byte in an otherwise good page: keep the declared charset (trying
        # another one here would turn the whole page into mojibake).
        text = body.decode(declared, "replace")
        if text.count("\ufffd") * rules.DAMAGED_PAGE_MAX_ERROR_RATIO <= len(text):
            return text, declared
        # Declared charset is wrong: the usual suspects, strictly.
        for codec in rules.FALLBACK_CHARSETS:
            if codec == declared:
                continue
            if codec == "utf-8":
                if _looks_utf8(body):
                    return body.decode("utf-8", "replace"), "utf-8"
                continue
            text = _strict(body, codec)
            if text is not None:
                return text, codec
    elif _looks_utf8(body):
        return body.decode("utf-8", "replace"), "utf-8"

    # 4. detection. On Chinese portals a detector's guess of a Western single-byte charset is
    # nearly always a GBK page it misread: GB18030 is preferred when it decodes strictly.
    detected = _detect(body)
    if detected is not None and detected[1] in rules.TRUSTED_DETECTIONS:
        return detected
    text = _strict(body, "gb18030")
    if text is not None:
        return text, "gb18030"
    if detected is not None:
        return detected
    # 5. UTF-8 with replacement characters
    return body.decode("utf-8", "replace"), "utf-8"
