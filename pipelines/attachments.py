"""Reports published as attachments: recognize the file, extract its text, or say why not.

``detect(part)`` names a fetched part's document kind (pdf, docx, doc, wps, ofd) from its
Content-Type, its leading bytes and its URL, in that order of trust; ``extract_file(part, kind)``
returns an ``AttachmentText``; ``is_stub(text)`` tells a detail page that only points at its
attachment (详见附件). Rule tables (extensions, MIME types, magic bytes, stub phrases) are data here.

PDF text comes from pypdf; physical lines are joined back into paragraphs (a paragraph starts at an
indented line, or after a line shorter than the page's full line). DOCX from python-docx (tables:
cells joined by a tab, the extraction contract). OFD is a zip of XML: its TextCode elements are
read directly. DOC and WPS (binary Word 97-2003 / Kingsoft compound files) are stored, not
extracted: no maintained pure-Python converter installs from PyPI (antiword/textract wrap system
binaries), so the reason is recorded instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

# -- rule tables ----------------------------------------------------------------------------------
EXTENSIONS = ("pdf", "docx", "doc", "wps", "ofd")
MIME_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/vnd.ms-works": "wps",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/ofd": "ofd",
    "application/vnd.ofd": "ofd",
    "application/x-ofd": "ofd",
    "application/vnd.ms-word": "doc",
    "application/wps": "wps",
}
# Office Open XML of any kind (docx, and spreadsheets or slides a portal may serve beside them): a file,
# never a web page, even where lawgov reads only docx.
OFFICE_MIME_PREFIXES = ("application/vnd.openxmlformats-officedocument",)
# Generic types a download servlet answers with: the bytes and the URL decide then.
GENERIC_MIME_TYPES = ("application/octet-stream", "application/x-download", "application/force-download",
                      "application/download", "binary/octet-stream")
MAGIC = (
    (b"%PDF-", "pdf"),
    (bytes.fromhex("D0CF11E0A1B11AE1"), "ole"),   # .doc or .wps: the URL's extension decides
    (b"PK\x03\x04", "zip"),                        # .docx or .ofd: the archive's members decide
)
# An attachment link: the URL (path or a filename= parameter) or the anchor text ends in one of these.
ATTACHMENT_URL = re.compile(r"\.(?:pdf|docx|doc|wps|ofd)$", re.I)
ATTACHMENT_ANCHOR = re.compile(r"\.(?:pdf|docx|doc|wps|ofd)\s*$|^\s*附件\s*[:：]?\s*\S", re.I)
# On a detail page a file link is the article's own attachment only when the link or its paragraph says
# so (附件：…, file name as link text); 上一篇/下一篇/相关链接 may point at other documents' files.
ATTACHMENT_CONTEXT = re.compile(r"附件|附\s*件|下载|\.(?:pdf|docx?|wps|ofd)\s*$", re.I)
NOT_ATTACHMENT_CONTEXT = re.compile(r"上一篇|下一篇|上一条|下一条|相关链接|相关文章|相关阅读|推荐阅读")
DOWNLOAD_SERVLETS = re.compile(r"/module/download/downfile\.jsp|/downfile\.(?:jsp|do|action)|/download\.(?:jsp|do)", re.I)

# Phrases of a detail page that only points at its attachment, and how short such a page is.
STUB_PHRASES = re.compile(r"详见附件|见附件|附件[:：]|附件下载|点击下载|下载附件|全文见附件|原文下载|\.(?:pdf|docx?|wps|ofd)\b", re.I)
STUB_MAX_CHARS = 200

NOT_EXTRACTED = {
    "doc": "stored, not extracted: Word 97-2003 binary (.doc); no maintained pure-Python converter on PyPI",
    "wps": "stored, not extracted: WPS binary (.wps); no maintained pure-Python converter on PyPI",
}
NEEDS_OCR = "needs_ocr: PDF without a text layer (scanned images)"

# PDF line joining: a paragraph starts at an indented line (ideographic or plain spaces) or after a
# line clearly shorter than the page's full lines.
PDF_PARAGRAPH_INDENT = re.compile(r"^[\u3000 \t]{2,}")
PDF_FULL_LINE_RATIO = 0.9
# What tools put before a PDF's /Title ("Microsoft Word - 报告.docx").
PDF_TITLE_NOISE = re.compile(r"^\s*(?:Microsoft Word|WPS Office|Word)\s*-\s*", re.I)


@dataclass
class AttachmentText:
    kind: str
    text: str = ""                 # one paragraph per line, not yet normalized
    needs_ocr: bool = False
    note: str | None = None        # why there is no text ("stored, not extracted: …", "needs_ocr: …")
    created: str | None = None     # "YYYY-MM-DD" from the file's own metadata (PDF CreationDate)
    title: str | None = None       # the file's own title metadata (PDF /Title), tool prefixes removed


# -- recognition ----------------------------------------------------------------------------------
def url_extension(url: str) -> str | None:
    """The document extension a URL names: in its path, or in a filename=/file= parameter."""
    parts = urlsplit(url)
    candidates = [unquote(parts.path)] + [v for k, v in parse_qsl(parts.query) if k.lower() in
                                          ("filename", "file", "name", "fileName".lower(), "path")]
    for c in candidates:
        m = ATTACHMENT_URL.search(c.strip())
        if m:
            return m.group(0)[1:].lower()
    return None


def is_file_response(url: str, content_type: str) -> bool:
    """A response that is a document file by its Content-Type or its path's extension (the crawler's
    junk guard leaves these to the pipelines)."""
    ctype = content_type.split(";")[0].strip().lower()
    return (ctype in MIME_TYPES or ctype.startswith(OFFICE_MIME_PREFIXES)
            or ATTACHMENT_URL.search(urlsplit(url).path) is not None)


def is_attachment_link(url: str, anchor: str = "") -> bool:
    """A link worth fetching as an attachment (decided before the fetch, from URL and anchor)."""
    return bool(url_extension(url) or DOWNLOAD_SERVLETS.search(url) or ATTACHMENT_ANCHOR.search(anchor or ""))


# A page whose source matches none of these cannot link a file URL (is_file_url): an extension ending a
# URL or query value, a servlet name, or a letter spelled as a %-escape or character reference (both
# decoded before the URL is judged). Lets the spider skip parsing links on most pages.
MAY_LINK_FILE = re.compile(
    r"(?:pdf|docx?|wps|ofd)(?=[\"'\s?#&>)\\]|$)|download|downfile|%[4-7][0-9a-f]|&#", re.I)


_EXT_WORDS = ("pdf", "docx", "doc", "wps", "ofd")
_EXT_FOLLOW = "\"'?#&>)\\"  # MAY_LINK_FILE's lookahead, with \s (str.isspace) and the end
_PERCENT_LETTER = re.compile(r"%[4-7][0-9a-fA-F]")
# Non-ASCII letters that re.I matches to ASCII ones (ı, İ → i; ſ → s; K → k), and which
# str.lower() maps otherwise: a page holding one is judged by MAY_LINK_FILE itself.
_FOLD_ODDITIES = "\u0131\u0130\u017f\u212a"


def may_link_files(html: str) -> bool:
    """MAY_LINK_FILE.search(html), by plain substring scans: the case-insensitive alternation costs
    ~1 ms on a 10 kB article page (more than parsing it), this about a tenth of that."""
    if any(c in html for c in _FOLD_ODDITIES):
        return MAY_LINK_FILE.search(html) is not None
    if "&#" in html or _PERCENT_LETTER.search(html):
        return True
    low = html.lower()
    if "download" in low or "downfile" in low:
        return True
    for word in _EXT_WORDS:
        i = low.find(word)
        while i >= 0:
            j = i + len(word)
            if j >= len(low) or low[j] in _EXT_FOLLOW or low[j].isspace():
                return True
            i = low.find(word, i + 1)
    return False


def is_file_url(url: str) -> bool:
    """A URL naming a file (extension or download servlet): the cheap first test of is_own_attachment."""
    return bool(url_extension(url) or DOWNLOAD_SERVLETS.search(url))


def is_own_attachment(url: str, anchor: str, context: str) -> bool:
    """A detail page's link to its own file: a file URL, with the link text or its paragraph
    (``context``) naming an attachment, and not in a 上一篇/下一篇/相关 block."""
    if not is_file_url(url):
        return False
    if NOT_ATTACHMENT_CONTEXT.search(context or ""):
        return False
    return bool(ATTACHMENT_ANCHOR.search(anchor or "") or ATTACHMENT_CONTEXT.search(context or ""))


def detect(part: dict) -> str | None:
    """The document kind of a fetched part, or None when it is a web page."""
    body = part.get("body") or b""
    ctype = (part.get("content_type") or "").split(";")[0].strip().lower()
    if ctype.startswith("text/") and ctype not in MIME_TYPES and not body.startswith(b"%PDF-"):
        return None  # a web page: most parts, and no URL parsing for them
    ext = url_extension(part.get("url") or "")
    if ctype in MIME_TYPES:
        kind = MIME_TYPES[ctype]
        if kind in ("doc", "wps") and ext in ("doc", "wps"):
            return ext
        return kind
    for magic, kind in MAGIC:
        if body.startswith(magic):
            if kind == "ole":
                return ext if ext in ("doc", "wps") else "doc"
            if kind == "zip":
                return _zip_kind(body) or ext
            return kind
    if ctype in GENERIC_MIME_TYPES and ext:
        return ext
    return None


def _zip_kind(body: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "OFD.xml" in names:
        return "ofd"
    return None


def is_stub(text: str) -> bool:
    """A page body that only points at its attachment."""
    text = (text or "").strip()
    return not text or (len(text) <= STUB_MAX_CHARS and bool(STUB_PHRASES.search(text)))


def file_title(part: dict) -> str | None:
    """A title for a standalone attachment: the link's anchor text, without 附件： and extension."""
    anchor = (part.get("anchor") or "").strip()
    anchor = re.sub(r"^附件\s*\d*\s*[:：]\s*", "", anchor)
    anchor = ATTACHMENT_URL.sub("", anchor).strip()
    return anchor or None


# -- extraction -----------------------------------------------------------------------------------
def extract_file(part: dict, kind: str | None = None) -> AttachmentText:
    kind = kind or detect(part) or "unknown"
    body = part.get("body") or b""
    if kind in NOT_EXTRACTED:
        return AttachmentText(kind, note=NOT_EXTRACTED[kind])
    try:
        if kind == "pdf":
            return _pdf(body)
        if kind == "docx":
            return AttachmentText(kind, text=docx_text(body))
        if kind == "ofd":
            return AttachmentText(kind, text=ofd_text(body))
    except Exception as e:  # a broken file is kept raw, with what went wrong
        return AttachmentText(kind, note=f"stored, not extracted: unreadable {kind} ({type(e).__name__}: {e})")
    return AttachmentText(kind, note=f"stored, not extracted: unknown document type {kind!r}")


def _pdf(body: bytes) -> AttachmentText:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    lines = []
    for page in reader.pages:
        lines += (page.extract_text() or "").splitlines()
    text = join_pdf_lines(lines)
    if not text.strip():
        return AttachmentText("pdf", needs_ocr=True, note=NEEDS_OCR)
    created = title = None
    try:
        when = reader.metadata.creation_date if reader.metadata else None
        created = when.strftime("%Y-%m-%d") if when else None
    except (ValueError, TypeError):
        pass  # an unparsable date is no date
    if reader.metadata and reader.metadata.title:
        title = ATTACHMENT_URL.sub("", PDF_TITLE_NOISE.sub("", str(reader.metadata.title))).strip() or None
    return AttachmentText("pdf", text=text, created=created, title=title)


def join_pdf_lines(lines: list[str]) -> str:
    """Physical PDF lines → paragraphs (one per line)."""
    lines = [x.rstrip() for x in lines if x.strip()]
    if not lines:
        return ""
    full = max(len(x) for x in lines)
    paras: list[str] = []
    prev = None
    for line in lines:
        starts = prev is None or PDF_PARAGRAPH_INDENT.match(line) or len(prev) < full * PDF_FULL_LINE_RATIO
        if starts:
            paras.append(line.strip())
        else:
            paras[-1] += line.strip()
        prev = line
    return "\n".join(paras)


def docx_text(body: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(io.BytesIO(body))
    out = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                out.append(block.text.strip())
        elif isinstance(block, Table):
            for row in block.rows:
                out.append("\t".join(c.text.strip() for c in row.cells))
    return "\n".join(out)


def ofd_text(body: bytes) -> str:
    """OFD (GB/T 33190): every page's TextObject/TextCode text, one text object per line, in order."""
    from lxml import etree

    z = zipfile.ZipFile(io.BytesIO(body))
    pages = sorted((n for n in z.namelist() if re.search(r"Pages/Page_\d+/Content\.xml$", n)),
                   key=lambda n: [int(x) for x in re.findall(r"\d+", n)])
    out = []
    for name in pages:
        root = etree.fromstring(z.read(name))
        for obj in root.iter("{*}TextObject"):
            text = "".join("".join(code.itertext()) for code in obj.iter("{*}TextCode")).strip()
            if text:
                out.append(text)
    return "\n".join(out)
