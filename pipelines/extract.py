"""Extraction: one report page's HTML → body text and metadata.

``extract_html(html, url)`` and ``extract(body, url, content_type)`` (which decodes first and adds
``encoding``) return a dict with the keys of ``FIELDS``, None when absent.

How it works (all portal knowledge lives in ``pipelines/rules.py``):

1. ``<`` that starts CJK text is escaped, the page is parsed once with lxml.
2. The body is located with the marker pairs, then the container table (first rule that matches
   wins; among its matches the longest).
3. One walk over the document turns it into lines: block elements and ``<br>`` end lines, inline
   elements (Word-paste ``<span>``s) do not; data tables give one line per row with cells joined
   by a tab. Each line is tagged as outside the body, body, or body chrome (inside a chrome
   element: share bar, font widget, metadata table …).
4. Body lines are filtered with the chrome line table; the title (also when split over two lines)
   is dropped from the top; a related-links heading cuts the rest.
5. Metadata comes from <meta> tags and from the label table applied to every line that is not
   kept body text (metadata tables, info bars, lines the chrome filter dropped).
6. No container, or an empty one: ``trafilatura.extract`` on the same tree, same line filter.

Never raises: junk input gives the dict with Nones.
"""

from __future__ import annotations

import datetime as _dt
import re

from lxml import etree
from lxml import html as lxml_html

from pipelines import rules
from pipelines.encoding import decode_html
from pipelines.normalize import nfkc

FIELDS = (
    "title", "text", "published", "written", "issuer", "index_no", "doc_no", "source",
    "site_name", "column", "keywords",
)

# ---------------------------------------------------------------------------------------------
# compiled tables (once, at import)
# ---------------------------------------------------------------------------------------------

def _first_chars(pattern: str, flags: int = 0) -> str | None:
    """A character-class body (``"[…]"`` without brackets) holding every character a match of
    ``pattern`` can start with, or None when that is not known (a match may be empty, or start
    with ``.`` or a negated class …) or when ``re`` already scans for the first character itself.
    Read from the ``re`` parse tree; the class items are copied as they are, so compiled with the
    same ``flags`` they match exactly what the pattern's items do."""
    try:
        from re import _constants as C
        from re import _parser

        categories = {C.CATEGORY_SPACE: r"\s", C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_DIGIT: r"\d",
                      C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}

        def seq(items) -> tuple[set, bool]:  # (first items, can match empty)
            out: set = set()
            for op, av in items:
                first, empty = item(op, av)
                out |= first
                if not empty:
                    return out, False
            return out, True

        def item(op, av) -> tuple[set, bool]:
            if op is C.LITERAL:
                return {re.escape(chr(av))}, False
            if op is C.IN:
                out = set()
                for o, a in av:
                    if o is C.LITERAL:
                        out.add(re.escape(chr(a)))
                    elif o is C.RANGE:
                        out.add(f"{re.escape(chr(a[0]))}-{re.escape(chr(a[1]))}")
                    else:
                        out.add(categories[a] if o is C.CATEGORY else _unknown())
                return out, False
            if op is C.BRANCH:
                firsts = [seq(b) for b in av[1]]
                return set().union(*(f for f, _ in firsts)), any(e for _, e in firsts)
            if op is C.SUBPATTERN:
                # (?i:…) and the like: the class would be compiled with the outer flags
                return seq(av[3]) if not (av[1] or av[2]) else _unknown()
            if op in (C.MAX_REPEAT, C.MIN_REPEAT):
                first, empty = seq(av[2])
                return first, empty or av[0] == 0
            if op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero width: the next item starts the match
                return set(), True
            return _unknown()

        parsed = _parser.parse(pattern, flags)
        if parsed.state.flags & ~(flags | re.UNICODE):
            return None  # inline global flags, e.g. "(?i)…": they must stay at the start
        lead = parsed.data
        while lead and lead[0][0] is C.SUBPATTERN and not (lead[0][1][1] or lead[0][1][2]):
            lead = lead[0][1][3].data
        if lead and (lead[0][0] in (C.LITERAL, C.IN) or (lead[0][0] is C.BRANCH and all(
                b.data and b.data[0][0] is C.LITERAL for b in lead[0][1][1]))):
            return None  # re finds a literal prefix or first-character set on its own
        first, empty = seq(parsed.data)
    except (_Unknown, ImportError, AttributeError, KeyError, IndexError, TypeError):
        return None
    return None if empty or not first else "".join(sorted(first))


class _Unknown(Exception):
    pass


def _unknown():
    raise _Unknown


def compile_gated(pattern: str, flags: int = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, led by a lookahead on the characters a match can start
    with when ``re`` has no such scan of its own (an alternation of groups, an optional prefix):
    the same matches, but most positions are skipped at once instead of trying every alternative
    at each (the chrome line table: 6x faster per line)."""
    first = _first_chars(pattern, flags)
    return re.compile(f"(?=[{first}])(?:{pattern})" if first else pattern, flags)


_LITERAL_LT = re.compile(rules.LITERAL_LT_PATTERN)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_MARKERS = [
    (etree.XPath(m["start"]), etree.XPath(m["end"]), m.get("hint"), m["name"])
    for m in rules.BODY_MARKERS
]
_CONTAINERS = [
    (etree.XPath(c["xpath"]), c.get("min_chars", 1), c.get("hint"), c["name"])
    for c in rules.BODY_CONTAINERS
]
_CHROME_ELEMENTS = etree.XPath(" | ".join(rules.CHROME_ELEMENTS))
_CHROME_LINES = compile_gated("|".join(f"(?:{p})" for p in rules.CHROME_LINES), re.I)
_CHROME_SHORT_LINES = re.compile("|".join(f"(?:{p})" for p in rules.CHROME_SHORT_LINES), re.I)
_TAIL_MARKERS = re.compile("|".join(f"(?:{p})" for p in rules.TAIL_MARKERS))
_DEBRIS = re.compile(rules.DEBRIS_LINE)
_TITLE_HEADINGS = [etree.XPath(x) for x in rules.TITLE_HEADINGS]
_TITLE_SEP = re.compile(rules.TITLE_SEPARATORS)
_TITLE_DASH_TAIL = re.compile(rules.TITLE_DASH_TAIL)
_SITE_NAME = re.compile(rules.SITE_NAME)
_DATES = [re.compile(p) for p in rules.DATE_PATTERNS]

_LABEL_FIELDS = {k.replace(" ", ""): v for k, v in rules.METADATA_LABELS.items()}
_LABEL_ALT = "|".join(
    "[ \u3000\xa0]*".join(re.escape(ch) for ch in label)
    for label in sorted(_LABEL_FIELDS, key=len, reverse=True)
)
_LABEL = compile_gated(
    rf"(?:^|(?<=[{rules.LABEL_BEFORE}]))(?P<label>{_LABEL_ALT}){rules.LABEL_AFTER}"
)
_OPEN = re.escape(rules.LABEL_OPEN_BRACKETS)
_CLOSE = re.escape(rules.LABEL_CLOSE_BRACKETS)
_COLON = re.escape(rules.LABEL_COLONS)
_LABEL_ONLY = re.compile(
    rf"^[{_OPEN}]?\s*(?P<label>{_LABEL_ALT})\s*[{_COLON}]?\s*[{_CLOSE}]?$"
)
_LEADING_LABEL = re.compile(rf"^[{_OPEN}\s]*(?P<label>{_LABEL_ALT})[ \u3000\xa0]*[{_COLON}]")
_VALUE_STOP = re.compile(rules.VALUE_STOP)
_DATE_PREFIX = re.compile(rules.LABEL_DATE_PREFIX)
_EMPTY_VALUES = frozenset(rules.EMPTY_VALUES)

_SPACE_RUN = re.compile(r"[ \t\n\r\f\v]+")
_WIDE_BREAK = re.compile(
    rf"(?<=[{rules.WIDE_CHARS}])[ \t\r\f\v]*\n[ \t\n\r\f\v]*(?=[{rules.WIDE_CHARS}])"
)
_LINE_STRIP = " \t\n\r\f\v\xa0\u3000\u2002\u2003\u2009\u200b\u200c\u200d\ufeff\u00ad"
_CELL = "\ue000"  # cell separator inside a line while it is being built
_BLANK = _LINE_STRIP + _CELL  # a line made of these alone comes out empty

_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe",
    "object", "embed", "svg", "select", "option", "button", "input", "textarea", "map", "area",
})
_BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tbody", "thead",
    "tfoot", "caption", "section", "article", "blockquote", "pre", "dl", "dt", "dd", "center",
    "header", "footer", "nav", "aside", "main", "figure", "figcaption", "address", "form",
    "fieldset", "legend", "details", "summary", "hgroup", "body", "html", "ucapcontent",
    "tr", "td", "th", "hr", "br", "option",
})
_CELL_TAGS = frozenset({"td", "th"})

_OUT, _BODY, _BODY_CHROME = 0, 1, 2

_PARSER_OPTIONS = dict(remove_comments=False, remove_pis=True, no_network=True, recover=True,
                       default_doctype=False)
# Plain lxml elements: lxml.html's HtmlElement classes are looked up in Python for every node the
# walk touches (~10 % of extraction). Only trafilatura (the fallback) needs them: it re-parses.
_PARSER = etree.HTMLParser(**_PARSER_OPTIONS)
# the declared encoding, not a <meta charset> in the page: the text is already decoded
_UTF8_PARSER = etree.HTMLParser(**_PARSER_OPTIONS, encoding="utf-8")
_HTML_PARSER = lxml_html.HTMLParser(**_PARSER_OPTIONS)
_STRING = etree.XPath("string()")  # what HtmlElement.text_content() computes


def _empty() -> dict:
    return {f: None for f in FIELDS}


# ---------------------------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------------------------

def _clean_markup(html: str) -> str:
    html = _XML_DECL.sub("", html, count=1)
    if "\x00" in html:
        html = html.replace("\x00", "")
    return _LITERAL_LT.sub("&lt;", html)


def _parse(html: str):
    html = _clean_markup(html)
    if not html.strip():
        return None
    try:
        try:  # libxml2 reads UTF-8 bytes twice as fast as a str (which lxml hands it as UCS-4)
            root = etree.fromstring(html.encode("utf-8"), _UTF8_PARSER)
        except UnicodeEncodeError:  # lone surrogates: only the str path takes them
            root = etree.fromstring(html, _PARSER)
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError, TypeError):
        return None
    return root


# ---------------------------------------------------------------------------------------------
# the walk: document → tagged lines
# ---------------------------------------------------------------------------------------------

def _finish_line(pieces: list[str], body: bool = True) -> str:
    s = "".join(pieces)
    if not s.strip(_BLANK):  # most calls: the newline between two block tags
        return ""
    if "\n" in s:
        if body:
            s = _WIDE_BREAK.sub("", s)
        s = _SPACE_RUN.sub(" ", s)
    elif "  " in s or "\t" in s or "\r" in s or "\f" in s or "\v" in s:
        s = _SPACE_RUN.sub(" ", s)  # (else every run is one space already)
    if _CELL in s:
        cells = [c.strip(_LINE_STRIP) for c in s.split(_CELL)]
        while cells and not cells[0]:
            cells.pop(0)
        while cells and not cells[-1]:
            cells.pop()
        s = "\t".join(cells)
    return s.strip(_LINE_STRIP)


def _is_data_table(table, body_ancestors) -> bool:
    """A table of data (one line per row, cells joined by a tab) rather than a layout table (its
    cells are blocks). Layout: holds a table or the body, or a cell holds a long structured text;
    data: some row has two cells with text."""
    if table in body_ancestors or table.find(".//table") is not None:
        return False
    data = False
    for tr in table.iter("tr"):
        filled = 0
        for cell in tr:
            if cell.tag not in _CELL_TAGS:
                continue
            text = _STRING(cell).strip(_LINE_STRIP)
            if not text:
                continue
            filled += 1
            if len(text) > rules.LAYOUT_CELL_CHARS and (
                cell.find(".//br") is not None or cell.find(".//p") is not None
                or cell.find(".//div") is not None
            ):
                return False
        if filled >= 2:
            data = True
    return data


def _tail_flag(ctx: int, marker_mode: bool, in_markers: bool) -> int:
    """Flag of text that follows an element (it belongs to the parent's content)."""
    if not marker_mode:
        return ctx
    if not in_markers:
        return _OUT
    return _BODY if ctx == _OUT else ctx


def _walk(root, body=None, markers=None, chrome=frozenset()) -> list[tuple[str, int]]:
    """Lines of the document in order, each tagged _OUT, _BODY or _BODY_CHROME.

    ``body``: the body container element; ``markers``: (start node, end node) delimiting the body
    instead; ``chrome``: elements inside the body whose text is not body text.
    """
    lines: list[tuple[str, int]] = []
    pieces: list[str] = []
    cur = [_OUT]  # flag of the line being built
    start_node, end_node = markers if markers else (None, None)
    anchor = body if body is not None else start_node
    body_ancestors = set(anchor.iterancestors()) if anchor is not None else set()
    in_markers = False
    cell_depth = 0  # open cells of data tables
    table_kinds: list[bool] = []

    def flush():
        if pieces:
            line = _finish_line(pieces, cur[0] == _BODY)
            pieces.clear()
            if line:
                lines.append((line, cur[0]))

    def add(text, flag):
        if flag != cur[0]:
            if text.isspace():
                return
            flush()
            cur[0] = flag
        pieces.append(text)

    # stack items: (node, flag of the content the node sits in, exit action or None)
    stack: list = [(root, _OUT, None)]
    pop, push = stack.pop, stack.append
    while stack:
        node, ctx, action = pop()
        if action is None:  # entering the node
            if start_node is not None:
                if node is start_node:
                    in_markers = True
                elif node is end_node:
                    in_markers = False
            tag = node.tag
            if not isinstance(tag, str) or tag in _SKIP_TAGS:
                # comments, processing instructions, script, style …: only the tail is text
                tail = node.tail
                if tail:
                    add(tail, _tail_flag(ctx, start_node is not None, in_markers))
                continue
            if start_node is not None:  # body between markers
                if in_markers:
                    flag = _BODY_CHROME if (ctx == _BODY_CHROME or node in chrome) else _BODY
                else:
                    flag = _OUT
            elif ctx == _BODY_CHROME:
                flag = _BODY_CHROME
            elif ctx == _BODY:
                flag = _BODY_CHROME if node in chrome else _BODY
            elif node is body:
                flag = _BODY
            else:
                flag = _OUT
            if tag == "table":
                table_kinds.append(cell_depth == 0 and _is_data_table(node, body_ancestors))
                flush()
                action = "table"
            elif table_kinds and table_kinds[-1] and tag in _CELL_TAGS:
                add(_CELL, flag)
                cell_depth += 1
                action = "cell"
            elif table_kinds and table_kinds[-1] and tag == "tr":
                flush()
                action = "row"
            elif tag in _BLOCK_TAGS:
                if cell_depth:
                    pieces.append(" ")
                else:
                    flush()
                action = "block"
            else:
                action = "inline"
                if flag != _BODY and pieces:
                    pieces.append(_CELL)
            text = node.text
            if text:
                add(text, flag)
            if len(node):  # children first; a leaf's exit follows at once, below
                push((node, ctx, action))
                stack.extend([(child, flag, None) for child in reversed(node)])
                continue
        # leaving the node
        if action == "cell":
            cell_depth -= 1
        elif action == "row":
            flush()
        elif action == "table":
            table_kinds.pop()
            flush()
        elif action == "block":
            if cell_depth:
                pieces.append(" ")
            else:
                flush()
        elif cur[0] != _BODY and pieces:
            # outside the body, inline elements are fields: "<label>索引号</label><span>…</span>",
            # "<span>发布时间：…</span><span>来源：…</span>" (inside it they must not be:
            # Word-paste spans cut words)
            pieces.append(_CELL)
        tail = node.tail
        if tail:
            add(tail, _tail_flag(ctx, start_node is not None, in_markers))
    flush()
    return lines


# ---------------------------------------------------------------------------------------------
# body location
# ---------------------------------------------------------------------------------------------

def _text_len(el) -> int:
    try:
        return len("".join(_STRING(el).split()))
    except Exception:  # noqa: BLE001
        return 0


def _common_ancestor(a, b):
    ancestors = {a}
    ancestors.update(a.iterancestors())
    if b in ancestors:
        return b
    for anc in b.iterancestors():
        if anc in ancestors:
            return anc
    return None


def _body_candidates(root, source_lower: str):
    """Yield (kind, body element or None, (start, end) or None, chrome context) in rule order."""
    for start_xp, end_xp, hint, _name in _MARKERS:
        if hint and hint not in source_lower:
            continue
        starts = start_xp(root)
        if not starts:
            continue
        start = starts[0]
        ends = end_xp(root)
        if not ends:
            continue
        end = ends[0]
        context = _common_ancestor(start, end)
        if context is None:
            continue
        yield "markers", None, (start, end), context
    for xp, min_chars, hint, _name in _CONTAINERS:
        if hint and hint not in source_lower:
            continue
        best, best_len = None, 0
        for el in xp(root):
            n = _text_len(el)
            if n >= min_chars and n > best_len:
                best, best_len = el, n
        if best is not None:
            yield "container", best, None, best


# ---------------------------------------------------------------------------------------------
# line filters
# ---------------------------------------------------------------------------------------------

def _is_metadata_line(line: str) -> bool:
    """A line of metadata (label: value), not body text."""
    if _LEADING_LABEL.match(line):
        return True
    if _LABEL_ONLY.match(line):
        return True
    if "\t" in line:
        # a row of a metadata table: two labels or more. A report's own table may have "时间",
        # "名称" headers, so only distinctive labels (three characters or more, or with a colon)
        # count.
        n = 0
        for m in _LABEL.finditer(line):
            label = m.group("label")
            if len("".join(label.split())) >= 3 or m.group(0).rstrip()[-1:] in rules.LABEL_COLONS:
                n += 1
                if n >= 2:
                    return True
    return False


def _is_chrome_line(line: str) -> bool:
    if _DEBRIS.match(line):
        return True
    if len(line) > rules.CHROME_LINE_MAX_CHARS:
        return False
    if len(line) <= rules.CHROME_SHORT_LINE_MAX_CHARS and _CHROME_SHORT_LINES.match(line):
        return True
    return bool(_CHROME_LINES.search(line)) or _is_metadata_line(line)


def _canon(s: str) -> str:
    return "".join(nfkc(s).split())


def _drop_title_lines(lines: list[str], title: str | None) -> list[str]:
    """Drop the title repeated at the top of the body, also when split over two or three lines."""
    if not title or not lines:
        return lines
    t = _canon(title)
    if not t:
        return lines
    i = 0
    while i < len(lines) and i < 6:
        acc = ""
        matched = 0
        for k in range(i, min(i + 3, len(lines))):
            acc += _canon(lines[k])
            if acc == t:
                matched = k + 1 - i
                break
            if not t.startswith(acc):
                break
        if matched:
            return lines[:i] + lines[i + matched:]
        i += 1
        # the title is only looked for above the first real paragraph
        if len(_canon(lines[i - 1])) > 2 * len(t):
            break
    return lines


def _clean_body_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """(kept, dropped) body lines after the chrome filter and the tail cut."""
    kept, dropped = [], []
    for i, line in enumerate(lines):
        if len(line) <= rules.TAIL_MARKER_MAX_CHARS and _TAIL_MARKERS.match(line) and kept:
            dropped.extend(lines[i:])
            break
        if _is_chrome_line(line):
            dropped.append(line)
        else:
            kept.append(line)
    return kept, dropped


# ---------------------------------------------------------------------------------------------
# metadata
# ---------------------------------------------------------------------------------------------

def parse_date(value: str | None) -> str | None:
    """First date in ``value`` as YYYY-MM-DD, or None (also for impossible dates)."""
    if not value:
        return None
    for rx in _DATES:
        for m in rx.finditer(value):
            try:
                d = _dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                continue
            return d.isoformat()
    return None


def _clean_value(raw: str) -> str | None:
    raw = raw.lstrip(" \t\u3000\xa0" + rules.LABEL_COLONS)
    m = _VALUE_STOP.search(raw)
    if m:
        raw = raw[: m.start()]
    value = raw.strip(rules.VALUE_TRIM)
    if value.lower() in _EMPTY_VALUES:
        return None
    return value


def parse_label_pairs(line: str) -> list[tuple[str, str | None, str | None]]:
    """All (label, field, value) pairs in one metadata line; [] if the line does not start with a
    label. ``field`` is None for known labels whose value is not kept."""
    if len(line) > rules.METADATA_LINE_MAX_CHARS:
        return []
    matches = list(_LABEL.finditer(line))
    if not matches:
        return []
    prefix = line[: matches[0].start()]
    if prefix.strip(rules.LABEL_PREFIX_IGNORED) != "" and not _DATE_PREFIX.match(prefix):
        return []
    out = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        label = "".join(m.group("label").split())
        out.append((label, _LABEL_FIELDS.get(label), _clean_value(line[m.end(): end])))
    return out


_DATE_FIELDS = ("published", "written")


def _scan_labels(lines: list[str]) -> dict:
    """Metadata from label: value lines (first good value per field wins)."""
    found: dict = {}
    n = len(lines)
    for i, line in enumerate(lines):
        pairs = parse_label_pairs(line)
        if not pairs:
            continue
        if len(pairs) == 1 and pairs[0][2] is None and _LABEL_ONLY.match(line) and i + 1 < n:
            # label alone on its line, value on the next one
            nxt = lines[i + 1]
            if not parse_label_pairs(nxt):
                pairs = [(pairs[0][0], pairs[0][1], _clean_value(nxt))]
        for _label, field, value in pairs:
            if field is None or value is None or field in found:
                continue
            if field in _DATE_FIELDS:
                value = parse_date(value)
                if value is None:
                    continue
            found[field] = value
    return found


def _scan_meta(root) -> dict:
    found: dict = {}
    for meta in root.iter("meta"):
        name = meta.get("name") or meta.get("property") or ""
        field = rules.META_FIELDS.get(name.strip().lower())
        if field and field not in found:
            content = (meta.get("content") or "").strip()
            if content and content.lower() not in _EMPTY_VALUES:
                found[field] = content
        for attr, field in rules.META_VALUE_ATTRIBUTES.items():
            value = meta.get(attr)
            if value and field not in found:
                found[field] = value.strip()
    return found


# ---------------------------------------------------------------------------------------------
# title
# ---------------------------------------------------------------------------------------------

def _site_like(s: str) -> bool:
    return bool(_SITE_NAME.match("".join(s.split())))


def _strip_site(title: str, site_name: str | None = None) -> str | None:
    """<title> text without the site name part ("标题_XX人民政府", "XX市政府 - 标题")."""
    title = " ".join(title.split())
    if not title:
        return None
    parts = [p.strip() for p in _TITLE_SEP.split(title) if p and p.strip()]
    if not parts:
        return None
    site = _canon(site_name) if site_name else None
    good = [p for p in parts if not _site_like(p) and (site is None or _canon(p) != site)]
    best = good[0] if good else parts[0]
    m = _TITLE_DASH_TAIL.search(best)
    if m and (_site_like(m.group(1)) or (site and _canon(m.group(1)) == site)):
        best = best[: m.start()].strip() or best
    if _site_like(best) or (site and _canon(best) == site):
        return None
    return best


def _similar(a: str, b: str) -> bool:
    a, b = _canon(a), _canon(b)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return short in long_ and len(short) * 2 >= len(long_)


def _heading_title(root, tag_title: str | None) -> tuple[str | None, str | None]:
    """(a heading that matches the <title> text, the first plausible heading)."""
    first = None
    for xp in _TITLE_HEADINGS:
        for el in xp(root):
            text = " ".join(_STRING(el).split())
            if not (rules.TITLE_MIN_CHARS <= len(text) <= rules.TITLE_MAX_CHARS):
                continue
            if _site_like(text):
                continue
            if tag_title and _similar(text, tag_title):
                return text, first or text
            if first is None:
                first = text
                if not tag_title:
                    return None, first
    return None, first


def _line_before_date(lines: list[str]) -> str | None:
    """The line right above the first "发布时间：…" line: where hand-made layouts put the title."""
    for i, line in enumerate(lines):
        pairs = parse_label_pairs(line)
        if any(field == "published" and parse_date(value) for _l, field, value in pairs):
            if i == 0:
                return None
            prev = lines[i - 1].replace("\t", "")
            if (rules.TITLE_MIN_CHARS <= len(prev) <= rules.TITLE_MAX_CHARS
                    and not _site_like(prev) and not parse_label_pairs(prev)
                    and not _is_chrome_line(prev)):
                return prev
            return None
    return None


def _find_title(root, meta: dict, labels: dict, lines: list[str]) -> str | None:
    for candidate in (meta.get("title"), labels.get("title")):
        if candidate:
            candidate = " ".join(candidate.split())
            if candidate:
                return candidate
    tag = root.find(".//title")
    tag_title = None
    if tag is not None:
        tag_title = _strip_site(_STRING(tag) or "", meta.get("site_name"))
    matching, first = _heading_title(root, tag_title)
    return matching or tag_title or _line_before_date(lines) or first


# ---------------------------------------------------------------------------------------------
# fallback
# ---------------------------------------------------------------------------------------------

def _trafilatura_lines(html: str, url: str | None) -> list[str]:
    try:
        import trafilatura

        root = lxml_html.document_fromstring(_clean_markup(html), parser=_HTML_PARSER)
        text = trafilatura.extract(
            root, url=url, favor_precision=True, include_tables=True, include_comments=False,
            include_images=False, include_links=False, deduplicate=False, output_format="txt",
            with_metadata=False,
        )
    except Exception:  # noqa: BLE001 - the fallback must not take the page down
        return []
    if not text:
        return []
    lines = []
    for raw in text.split("\n"):
        line = raw.strip(_LINE_STRIP)
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            line = "\t".join(c.strip(_LINE_STRIP) for c in line[1:-1].split("|"))
        if line:
            lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------

def extract_html(html: str, url: str | None = None) -> dict:
    """Body text and metadata of one page (see the module docstring)."""
    out = _empty()
    try:
        return _extract_html(html, url, out)
    except Exception:  # noqa: BLE001 - junk input must never take the pipeline down
        return out


def _extract_html(html: str, url: str | None, out: dict) -> dict:
    if not isinstance(html, str) or not html.strip():
        return out
    root = _parse(html)
    if root is None:
        return out

    body_lines: list[str] | None = None
    meta_lines: list[str] = []
    kept: list[str] = []
    for _kind, body_el, markers, context in _body_candidates(root, html.lower()):
        chrome = set(_CHROME_ELEMENTS(context))
        tagged = _walk(root, body=body_el, markers=markers, chrome=chrome)
        raw_body = [line for line, flag in tagged if flag == _BODY]
        kept, dropped = _clean_body_lines(raw_body)
        if not kept:
            continue
        dropped_set = set(dropped)
        meta_lines = [
            line for line, flag in tagged if flag != _BODY or line in dropped_set
        ]
        body_lines = kept
        break
    if body_lines is None:
        tagged = _walk(root)
        meta_lines = [line for line, _flag in tagged]

    meta = _scan_meta(root)
    labels = _scan_labels(meta_lines)
    title = _find_title(root, meta, labels, meta_lines)

    if body_lines is None:
        body_lines, _dropped = _clean_body_lines(_trafilatura_lines(html, url))
    body_lines = _drop_title_lines(body_lines, title)

    out["title"] = title
    out["text"] = "\n".join(body_lines) or None
    out["published"] = (
        labels.get("published") or parse_date(meta.get("published"))
        or parse_date(meta.get("generated"))
    )
    out["written"] = labels.get("written")
    out["issuer"] = labels.get("issuer") or meta.get("source") or labels.get("source")
    out["index_no"] = labels.get("index_no")
    out["doc_no"] = labels.get("doc_no")
    out["source"] = labels.get("source") or meta.get("source")
    out["site_name"] = meta.get("site_name")
    out["column"] = meta.get("column")
    out["keywords"] = labels.get("keywords") or meta.get("keywords")
    return out


_BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def looks_binary(text: str) -> bool:
    """Decoded bytes that are not a page at all (an image, a gzip stream, a PDF)."""
    head = text[: rules.BINARY_SNIFF_CHARS]
    if not head:
        return False
    return len(_BINARY_CHARS.findall(head)) > len(head) * rules.BINARY_MAX_SHARE


def extract(body: bytes, url: str | None = None, content_type: str | None = None) -> dict:
    """Decode ``body`` and extract it; adds ``encoding``."""
    if isinstance(body, (bytes, bytearray)) and bytes(body[:8]).lstrip().startswith(rules.BINARY_MAGIC):
        out = _empty()
        out["encoding"] = None
        return out
    try:
        text, encoding = decode_html(body or b"", content_type)
    except Exception:  # noqa: BLE001
        text, encoding = "", None
    out = extract_html(text, url) if not looks_binary(text) else _empty()
    out["encoding"] = encoding
    return out
