"""Attachment files of the sample web, generated deterministically from body lines (no packages).

- ``pdf(lines)``: a PDF as typeset from Word: a Type0 font (Identity-H) with a ToUnicode CMap, lines
  wrapped at ``PDF_LINE_CHARS`` characters, paragraphs indented by two ideographic spaces.
- ``scanned_pdf()``: a page holding only an image (a scan without a text layer).
- ``docx(lines)``: a minimal WordprocessingML package (paragraphs; ``|a|b|`` lines become a table).
- ``ole_blob(label)``: bytes in the OLE2 compound-file container of .doc/.wps (not a readable document).
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from sampleweb.text import is_table_row, signature_start, table_cells

PDF_LINE_CHARS = 34
PDF_LINES_PER_PAGE = 38
INDENT = "\u3000\u3000"


def _wrap(lines: list[str]) -> list[str]:
    """Physical lines: each paragraph indented and wrapped; signature lines neither."""
    sig = signature_start(lines)
    out = []
    for i, line in enumerate(lines):
        if is_table_row(line):
            line = "  ".join(table_cells(line))
        # signature lines pushed right with spaces, as typists do in Word
        text = "\u3000" * max(2, PDF_LINE_CHARS - len(line) - 2) + line if i >= sig else INDENT + line
        while len(text) > PDF_LINE_CHARS:
            out.append(text[:PDF_LINE_CHARS])
            text = text[PDF_LINE_CHARS:]
        out.append(text)
    return out


def _pdf(objects: list[bytes]) -> bytes:
    """Assemble numbered objects (1-based, in order) into a PDF with a correct xref table."""
    buf = io.BytesIO()
    buf.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(buf.tell())
        buf.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = buf.tell()
    buf.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        buf.write(b"%010d 00000 n \n" % off)
    buf.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 2 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return buf.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _tounicode(chars: list[str]) -> bytes:
    rows = []
    for start in range(0, len(chars), 100):
        block = chars[start:start + 100]
        rows.append(f"{len(block)} beginbfchar")
        rows += [f"<{start + i + 1:04X}> <{c.encode('utf-16-be').hex().upper()}>" for i, c in enumerate(block)]
        rows.append("endbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(rows) +
            "\nendcmap\nCMapName currentdict /CIDResource defineresource pop\nend\nend\n").encode("ascii")


def pdf(lines: list[str], title: str = "", created: str = "") -> bytes:
    """``created``: "YYYY-MM-DD HH:MM", written as the Info CreationDate (China time)."""
    phys = _wrap(lines)
    chars = sorted({c for line in phys for c in line})
    cid = {c: i + 1 for i, c in enumerate(chars)}
    pages = [phys[i:i + PDF_LINES_PER_PAGE] for i in range(0, len(phys), PDF_LINES_PER_PAGE)] or [[]]
    n_fixed = 6   # catalog, info, pages, Type0 font, CIDFont, ToUnicode
    page_ids = [n_fixed + 1 + 2 * i for i in range(len(pages))]
    objs = [
        b"<< /Type /Catalog /Pages 3 0 R >>",
        b"<< /Producer (sampleweb) /Title <FEFF" + title.encode("utf-16-be").hex().upper().encode() + b">"
        + (b" /CreationDate (D:%s00+08'00')" % "".join(c for c in created if c.isdigit()).encode() if created else b"")
        + b" >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % i for i in page_ids) + b"] /Count %d >>" % len(pages),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        _stream(_tounicode(chars)),
    ]
    for pid, page in zip(page_ids, pages):
        ops = [b"BT /F1 15 Tf 20 TL 72 780 Td"]
        for j, line in enumerate(page):
            hexs = "".join(f"{cid[c]:04X}" for c in line).encode()
            ops.append((b"T* " if j else b"") + b"<" + hexs + b"> Tj")
        ops.append(b"ET")
        objs.append(b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
                    b"/Contents %d 0 R >>" % (pid + 1))
        objs.append(_stream(b"\n".join(ops)))
    return _pdf(objs)


def scanned_pdf() -> bytes:
    """One A4 page with a grey 32x32 image and no text layer."""
    w = h = 32
    pixels = bytes((x * 7 + y * 3) % 256 for y in range(h) for x in range(w))
    objs = [
        b"<< /Type /Catalog /Pages 3 0 R >>",
        b"<< /Producer (Scanner) >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 6 0 R >> >> "
        b"/Contents 5 0 R >>",
        _stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
        _stream(pixels, b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                        b"/BitsPerComponent 8" % (w, h)),
    ]
    return _pdf(objs)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FIXED_TIME = (2024, 3, 1, 0, 0, 0)


def docx(lines: list[str]) -> bytes:
    body = []
    i = 0
    while i < len(lines):
        if is_table_row(lines[i]):
            rows = []
            while i < len(lines) and is_table_row(lines[i]):
                rows.append("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>"
                                               for c in table_cells(lines[i])) + "</w:tr>")
                i += 1
            body.append("<w:tbl>" + "".join(rows) + "</w:tbl>")
            continue
        body.append(f'<w:p><w:r><w:t xml:space="preserve">{escape(lines[i])}</w:t></w:r></w:p>')
        i += 1
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_W}"><w:body>'
            + "".join(body) + "<w:sectPr/></w:body></w:document>"),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(zipfile.ZipInfo(name, _FIXED_TIME), text.encode("utf-8"))
    return buf.getvalue()


def ole_blob(label: str) -> bytes:
    """An OLE2 compound-file header followed by filler: what a .doc or .wps looks like from outside."""
    head = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + bytes.fromhex("3E000300FEFF0900")
    return (head + label.encode("utf-16-le")).ljust(4096, b"\0")
