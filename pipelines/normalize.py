"""Text normalization: one canonical Simplified form for every variant a portal serves.

The same report reaches us as Simplified, as Traditional (a gateway's automatic conversion) and as
Traditional with pinyin annotations after characters (``區(qū)``, ``設(shè)``). ``normalize_text``
maps all of them to the same string, so hashes, duplicate detection and classification agree.

Steps of ``normalize_text``, in order (each decision documented here):

1. Unicode NFKC. Full-width forms become ASCII (``（一）`` → ``(一)``, ``：`` → ``:``, ``，`` → ``,``),
   U+3000 / NBSP / other spaces become U+0020, compatibility ideographs become unified ones,
   decomposed tone marks are composed. Side effects accepted for consistency: ``…`` → ``...``,
   ``㎡`` → ``m2``. Exception: circled / parenthesized numbers used as list markers (``①``,
   ``⑴``, ``❶``, ``㉑``) are kept, because NFKC would glue them to following digits
   (``①2023年`` → ``12023年``).
2. Line breaks unified to ``\\n`` (CR, CRLF, U+2028/2029, U+0085, VT, FF). Dropped: control
   characters other than ``\\n`` and ``\\t``, zero-width space/joiners (U+200B–U+200D), BOM /
   zero-width no-break space (U+FEFF), word joiner and invisible operators (U+2060–U+206F), bidi
   marks and embeddings, soft hyphen, U+180E, interlinear annotation marks, tag characters.
   (Variation selectors are kept: they are not format characters.)
3. Pinyin annotations removed: a CJK ideograph followed by ``(syllable)`` (spaces allowed before
   the parenthesis; full-width parentheses are ASCII after step 1), where the syllable is latin
   letters only, carries a tone mark or ``ü`` and is shaped like a pinyin syllable (initial,
   1–3 vowels, n/ng/r coda; or m/n/ng/hm/hng). Several annotations in a row all go.
   ``(2021-2025年)``, ``(一)``, ``(試行)``, ``(APP)``, ``(café)``, the toneless ``(de)`` and
   ``(淮府法領〔2020〕2號)`` are untouched.
4. Whitespace, per line. Tabs are kept as table-cell separators: any run of spaces/tabs that
   contains a tab becomes one ``\\t``; other space runs become one space. Spaces between two CJK
   characters (ideographs or CJK punctuation such as 、。《》“”) are removed — HTML indenting or
   justification artefacts. Spaces next to digits or latin letters are kept ("学法 30余次"),
   except inside dates and times (``2024- 03- 04`` → ``2024-03-04``, ``2024年 3 月 4 日`` →
   ``2024年3月4日``, ``16: 22`` → ``16:22``). Lines are stripped; empty lines are dropped (one
   paragraph per line, no blank lines).
5. OpenCC Traditional→Simplified, repeated until stable (at most 3 passes; Simplified input
   needs one pass), so the result is a fixed point and the whole function is idempotent. The
   config is ``hk2s``: exactly ``t2s`` preceded by folding Hong Kong variant forms (衞→衛, 羣→群,
   説→說, 敍, 枱, 粧, 衹 ...) to OpenCC standard Traditional. Plain ``t2s`` leaves 衞 as is, so
   text served through an ``s2hk`` gateway would not come back; on Simplified input and on
   standard Traditional the two configs give identical output (checked on every seed). Taiwan
   forms are not folded (``tw2s`` turns 显著 into 显着): ``s2tw`` writes 著 for 着 and that cannot be
   undone, because 著 is also a Simplified character. Text holding none of the characters and
   phrases this config changes (``pipelines/data/opencc_changes.tsv``, built from OpenCC's own
   dictionaries by ``pipelines/opencc_table.py``) skips OpenCC: most archived text is Simplified.

``normalize_title`` does the same and then joins everything into one line, removing any space
next to a CJK character (a CMS splitting a title over two lines, "某区 2023 年度…"), and strips
leading/trailing punctuation noise (separators, bullets, ``...``) while keeping closing brackets
and quotes.

Speed (20,000 characters of report text with its full-width punctuation, 2-core machine under
load): Simplified ≈ 1.3 ms, Traditional ≈ 3.2 ms, Traditional with pinyin ≈ 4.4 ms; OpenCC takes
0.7 / 2.5 / 2.4 ms of that. Simplified text now skips OpenCC: ≈ 0.8 ms, of which 0.3 tell that
nothing would change (OpenCC on it: 1.0 ms, same run). Every step is guarded by a cheap test so
already-normalized text passes quickly; NFKC maps the common full-width characters itself
(``nfkc``: CPython's NFKC alone took 2.6 ms of the Simplified figure).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

__all__ = ["normalize_text", "normalize_title", "to_simplified", "strip_pinyin", "nfkc"]

OPENCC_CONFIG = "hk2s"  # t2s + Hong Kong variant folding, see step 5 above
_converter = None
_converter_lock = threading.Lock()
_changes = None  # what OpenCC may change: see _opencc_may_change


def _t2s():
    """The OpenCC converter, created once on first use (with the table of what it may change)."""
    global _converter, _changes
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc

                from pipelines.opencc_table import load

                chars, phrases = load()
                anchors: dict[str, list[tuple[str, int]]] = {}  # changing character -> (phrase, its offset)
                for phrase, at in phrases.items():
                    for i, c in enumerate(phrase):
                        if c in at:
                            anchors.setdefault(c, []).append((phrase, i))
                # a character class scans fast only over the BMP: any character beyond counts as a change
                bmp = "".join(re.escape(c) for c in sorted(chars) if c <= "\uffff")
                _changes = (re.compile(f"[{bmp}\U00010000-\U0010ffff]"),
                            re.compile(f"[{''.join(map(re.escape, sorted(anchors)))}]"), anchors)
                _converter = opencc.OpenCC(OPENCC_CONFIG)
    return _converter


def _opencc_may_change(text: str) -> bool:
    """False when the text holds none of the characters and phrases OpenCC changes
    (pipelines/opencc_table.py): ~0.03 ms on 5,000 characters, OpenCC ~0.2."""
    changing_char, phrase_char, anchors = _changes
    if changing_char.search(text):
        return True
    for m in phrase_char.finditer(text):  # 覆, 秘, 坏 ... are common: look for their phrases around them
        i = m.start()
        if any(i >= k and text.startswith(phrase, i - k) for phrase, k in anchors[m.group()]):
            return True
    return False


def to_simplified(text: str) -> str:
    """OpenCC Traditional→Simplified applied until the text no longer changes (max 3 passes);
    text with nothing it could change skips it."""
    if not text:
        return text
    conv = _t2s()
    return _converted_until_stable(conv, text) if _opencc_may_change(text) else text


def _converted_until_stable(conv, text: str) -> str:
    for _ in range(3):
        out = conv.convert(text)
        if out == text:
            break
        text = out
    return text


# --- character classes -------------------------------------------------------------------------

_IDEO = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# CJK punctuation that counts as "CJK" for space removal: CJK symbols block (、。〈〉《》「」【】〔〕…),
# curly quotes, em dash, middle dot, horizontal ellipsis (NFKC turns it into "..." anyway).
_CJK_PUNCT = "\u3001-\u303f\u2018\u2019\u201c\u201d\u2014\u2015\u00b7\u2026"
_CJK = _IDEO + _CJK_PUNCT
# every Unicode Zs character (NFKC maps all but U+1680 to U+0020)
_SPACE_CHARS = " \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"

# --- step 1: NFKC ---------------------------------------------------------------------------------

# Enclosed alphanumerics, dingbat circled digits, circled numbers 21–50: kept out of NFKC.
_NFKC_PROTECTED = re.compile("([\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]+)")
_NFKC_PROTECTED_CHAR = re.compile(_NFKC_PROTECTED.pattern[1:-2])  # a bare class: re scans for it fast


# CPython's NFKC costs ~0.25 µs a character on CJK text that is not already normalized (full-width
# ，：（） in every report): most of process_page's normalize step. The common changes (full-width
# forms, CJK and general punctuation, Latin-1 spaces) are mapped character by character instead;
# when the result is NFKC it equals NFKC(text) (each character was replaced by its own NFKC, so the
# two strings have the same NFKD), else the text takes the full normalization.
_NFKC_FAST_RANGES = ((0x00A0, 0x0100), (0x2000, 0x2070), (0x3000, 0x3040), (0xFE30, 0xFE50), (0xFF00, 0xFFF0))
_NFKC_FAST = {chr(cp): unicodedata.normalize("NFKC", chr(cp))
              for lo, hi in _NFKC_FAST_RANGES for cp in range(lo, hi)
              if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)}
_NFKC_FAST_CHARS = re.compile("[" + "".join(map(re.escape, _NFKC_FAST)) + "]")
_NFKC_FREQUENT = "，：；（）！？　"  # the full-width punctuation of every report


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster on CJK text (see above)."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    fast = text
    for ch in _NFKC_FREQUENT:  # str.replace: far cheaper per hit than a sub callback
        if ch in fast:
            fast = fast.replace(ch, _NFKC_FAST[ch])
    if unicodedata.is_normalized("NFKC", fast):  # (is_normalized stops at the first "no")
        return fast
    fast = _NFKC_FAST_CHARS.sub(lambda m: _NFKC_FAST[m.group()], fast)
    if unicodedata.is_normalized("NFKC", fast):
        return fast
    return unicodedata.normalize("NFKC", text)


def _nfkc(text: str) -> str:
    if unicodedata.is_normalized("NFKC", text):  # fast path; protected characters are not NFKC
        return text
    if not _NFKC_PROTECTED_CHAR.search(text):
        return nfkc(text)
    parts = _NFKC_PROTECTED.split(text)  # odd indices are the protected runs
    return "".join(p if i % 2 else nfkc(p) for i, p in enumerate(parts))


# --- step 2: line breaks, invisible and control characters ----------------------------------------

_ODD_BREAKS = "\r\u2028\u2029\x85\x0b\x0c"
_NEWLINES = re.compile(r"\r\n|[\r\u2028\u2029\u0085\x0b\x0c]")
# Every character here makes str.isprintable() false, which is the cheap per-line pre-check.
_DROP = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)

# --- step 3: pinyin annotations ------------------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_ANY_TONED = re.compile(f"[{_TONED}{_TONED.upper()}]")
# One pinyin syllable carrying a tone mark (or ü): optional initial, 1–3 vowels, optional coda;
# or the syllabic nasals m/n/ng/hm/hng. Latin letters only. Matched case-insensitively.
_SYLLABLE = (
    rf"(?=[a-z{_TONED}]*[{_TONED}])"
    rf"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv{_TONED}]{{1,3}}(?:ng|n|r)?|h?[mnḿńňǹ]g?)"
)
# A run of annotations directly after an ideograph, spaces allowed before each parenthesis, so
# "區(qū)(qū)" loses both and a second pass finds nothing more.
_ANNOT = re.compile(
    rf"(?<=[{_IDEO}])(?:[{_SPACE_CHARS}]*[(（] ?{_SYLLABLE} ?[)）])+", re.IGNORECASE
)


def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations after CJK characters: ``區(qū)域`` → ``區域``."""
    if not _ANY_TONED.search(text):
        return text
    return _ANNOT.sub("", text)


# --- step 4: whitespace and dates -----------------------------------------------------------------

_WS_RUN = re.compile(rf"[{_SPACE_CHARS}\t]+")
_WS_ODD = ("  ", "\t", "\u1680")  # after NFKC every other space character is U+0020
# literal space first, so the regex engine can skip from space to space
_CJK_SPACE = re.compile(rf" (?<=[{_CJK}] )(?=[{_CJK}])")

_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_DATE_PATTERNS = [
    # 2024- 03- 04, 2024 / 3 / 4, 2024. 03. 04
    re.compile(rf"(?<!\d)(?:19|20)\d\d ?([-/.]) ?{_MONTH} ?\1 ?{_DAY}(?!\d)"),
    # 2024 年 3 月 4 日 (month and day optional)
    re.compile(rf"(?<!\d)(?:19|20)\d\d ?年(?: ?{_MONTH} ?月(?: ?{_DAY} ?日)?)?"),
    # 3 月 4 日
    re.compile(rf"(?<!\d){_MONTH} ?月 ?{_DAY} ?日"),
    # 16: 22, 9 : 05 : 30
    re.compile(r"(?<!\d)(?:[01]?\d|2[0-3])(?: ?: ?[0-5]\d){1,2}(?!\d)"),
]
# a space between two characters that can belong to a date or time: only then can a pattern apply
_DATE_GATE = re.compile(r" (?<=[\d年月日:/.\-] )(?=[\d年月日:/.\-])")


def _unspace(m: re.Match) -> str:
    return m.group(0).replace(" ", "")


def _clean_line(line: str) -> str:
    """Whitespace of one line after NFKC: see step 4."""
    if "\t" in line:
        line = _WS_RUN.sub(lambda m: "\t" if "\t" in m.group(0) else " ", line)
    elif any(w in line for w in _WS_ODD):
        line = _WS_RUN.sub(" ", line)
    line = line.strip(" \t")
    if " " not in line:
        return line
    line = _CJK_SPACE.sub("", line)
    if " " in line and _DATE_GATE.search(line):
        for pat in _DATE_PATTERNS:
            line = pat.sub(_unspace, line)
    return line


def _prepare(text: str) -> str:
    """Steps 1–4 (everything except the Traditional→Simplified conversion)."""
    text = _nfkc(text)
    if any(c in text for c in _ODD_BREAKS):
        text = _NEWLINES.sub("\n", text)
    has_pinyin = _ANY_TONED.search(text) is not None
    out = []
    for line in text.split("\n"):
        if not line.isprintable():
            line = _DROP.sub("", line)
        if has_pinyin:
            line = strip_pinyin(line)
        line = _clean_line(line)
        if line:
            out.append(line)
    return "\n".join(out)


def normalize_text(text: str) -> str:
    """Canonical Simplified text, one paragraph per line, no blank lines. Idempotent."""
    if not text:
        return ""
    return to_simplified(_prepare(text))


# --- titles ---------------------------------------------------------------------------------------

_TITLE_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
# Noise at the ends of a title: separators, list bullets, truncation dots. Closing brackets and
# quotes are kept ("…报告》", "(全文)").
_TITLE_EDGE_NOISE = re.compile(r"^[\s\-_|·•*#>,.;:、。!?~=]+|[\s\-_|·•*#>,.;:、。!?~=]+$")


_TITLE_CACHE_MAX_CHARS = 300  # longer "titles" (a junk page's field) are not kept in the cache


def normalize_title(title: str) -> str:
    """``normalize_text`` folded into one line, without spaces a CMS put next to CJK characters
    and without leading/trailing punctuation noise. Idempotent."""
    if not title:
        return ""
    if len(title) <= _TITLE_CACHE_MAX_CHARS:
        return _normalize_title_cached(title)
    return _normalize_title(title)


@functools.lru_cache(maxsize=256)  # a page's title is normalized 3 times; site, column, issuer repeat
def _normalize_title_cached(title: str) -> str:
    return _normalize_title(title)


def _normalize_title(title: str) -> str:
    text = _prepare(title).replace("\n", " ").replace("\t", " ")
    prev = None
    while prev != text:  # joining lines can create new date / pinyin / space contexts
        prev = text
        text = _clean_line(text)
        text = _TITLE_SPACE.sub("", text)
        text = _TITLE_EDGE_NOISE.sub("", text)
        text = strip_pinyin(text)
    return to_simplified(text)
