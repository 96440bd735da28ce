"""Is a page a 法治政府建设年度报告, and which year does it cover?

All phrase knowledge lives in ``pipelines/classify_rules.py``; this module only applies it (see
the docstring there for the decision procedure). Inputs may be Traditional or Simplified, raw or
already normalized: the title goes through ``normalize_title`` and the body's opening through
``normalize_text`` (both idempotent, so normalized input costs little).
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

from pipelines import classify_rules as R
from pipelines.extract import compile_gated
from pipelines.normalize import normalize_text, normalize_title

__all__ = ["classify", "covered_year", "analyse_title"]


def _c(pattern: str, flags: int = 0) -> re.Pattern:
    return compile_gated(pattern, flags)  # same matches; searches skip hopeless positions


_TITLE_RULES = [
    ([(field, _c(p)) for field, p in conditions.items()], verdict, reason)
    for conditions, verdict, reason in R.TITLE_RULES
]
_SEPARATORS = _c(R.TITLE_SEPARATORS)
_SITE_SEGMENT = _c(R.SITE_SEGMENT)
_CORE_STRIP = [_c(p, re.IGNORECASE) for p in R.TITLE_CORE_STRIP]
_TOPIC_ANY = _c(R.TOPIC_ANY)
_TOPIC_PRIMARY = _c(R.TOPIC_PRIMARY)
_REPORT_ENDING = _c(R.REPORT_ENDING)
_REPORT_OPENING = _c(R.REPORT_OPENING)
_ADDRESSEE = _c(R.ADDRESSEE_LINE)
_YEAR_OPENING = _c(R.YEAR_OPENING)
_YEAR_OPENING_EXCLUDE = _c(R.YEAR_OPENING_EXCLUDE)
_SENTENCE_PUNCT = _c(R.SENTENCE_PUNCT)
_TITLE_LINE_EXCLUDE = _c(R.TITLE_LINE_EXCLUDE, re.IGNORECASE)
_CN_YEAR = _c(R.CN_YEAR)
_YEAR_NOISE = [_c(p) for p in R.YEAR_NOISE]
_YEAR = _c(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_PLAN_AFTER = _c(R.PLAN_AFTER_YEAR)
_BODY_YEAR = [_c(p) for p in R.BODY_YEAR_PATTERNS]


# --- title ------------------------------------------------------------------------------------------

def _split_title(title: str) -> tuple[str, str]:
    """(main, core) of a normalized title; see classify_rules step 1."""
    segments = [s for s in _SEPARATORS.split(title) if s]
    kept = [
        s for s in segments
        if _TOPIC_ANY.search(s) or _REPORT_ENDING.search(s) or not _SITE_SEGMENT.search(s)
    ] or segments
    main = "".join(kept)
    core = next((s for s in kept if _TOPIC_ANY.search(s)), None)
    if core is None:
        core = next((s for s in kept if _REPORT_ENDING.search(s)), kept[0] if kept else "")
    prev = None
    while prev != core:
        prev = core
        for pat in _CORE_STRIP:
            core = pat.sub("", core).strip()
        if core.startswith("《") and core.endswith("》") and core.count("《") == 1:
            core = core[1:-1]
    return main, core or main


@lru_cache(maxsize=4096)
def analyse_title(title: str) -> tuple[object, str]:
    """First matching title rule on an already normalized title: (verdict, reason).

    verdict is True, False, ``BODY`` or ``BODY_STRICT``; an empty title gives (BODY, "")."""
    if not title:
        return R.BODY, ""
    main, core = _split_title(title)
    fields = {"main": main, "core": core}
    for conditions, verdict, reason in _TITLE_RULES:
        matches = [pat.search(fields[field]) for field, pat in conditions]
        if all(matches):
            if "{0}" in reason:
                m = matches[0]
                reason = reason.format(m.group(1) if m.groups() else m.group(0))
            return verdict, reason
    return R.BODY_STRICT, "no-report-signal"  # pragma: no cover (last rule matches anything)


# --- body -------------------------------------------------------------------------------------------

@lru_cache(maxsize=2)  # classify and covered_year read the same page's opening, in turn
def _opening(text: str) -> str:
    if not text:
        return ""
    # normalize a little more than the window, so a cut pinyin annotation or line does not matter
    return normalize_text(text[: R.BODY_WINDOW + 200])[: R.BODY_WINDOW]


def _title_lines(lines: list[str]):
    for line in lines[: R.TITLE_LINE_SCAN]:
        if (len(line) <= R.TITLE_LINE_MAX and not _SENTENCE_PUNCT.search(line)
                and not _TITLE_LINE_EXCLUDE.search(line)):
            yield line


def _body_rule(name: str, opening: str, lines: list[str]) -> bool:
    if name == "title-line":
        # the page's own title repeated at the top of the body; several report titles for
        # different years are a list page, not a report
        years = set()
        for line in _title_lines(lines):
            nline = normalize_title(line)
            if analyse_title(nline)[0] is True:
                years.add(_years_in_title(_split_title(nline)[1]))
        return len(years) == 1
    if name == "report-opening":
        for line in lines:
            m = _REPORT_OPENING.search(line)
            if m and _TOPIC_ANY.search(line, 0, m.end()):
                return True
        return False
    if name == "addressed-report":
        for i, line in enumerate(lines[: R.TITLE_LINE_SCAN]):
            if len(line) <= 45 and _ADDRESSEE.search(line):
                following = "".join(lines[i + 1: i + 3])[:200]
                if _TOPIC_ANY.search(following):
                    return True
        return False
    if name == "year-opening":
        for line in lines:
            if (_YEAR_OPENING.match(line)
                    and _TOPIC_PRIMARY.search(line, 0, R.YEAR_OPENING_TOPIC_WITHIN)
                    and not _YEAR_OPENING_EXCLUDE.search(line, 0, R.YEAR_OPENING_EXCLUDE_WITHIN)):
                return True
        return False
    raise ValueError(f"unknown body rule {name!r}")  # pragma: no cover


def _body_verdict(text: str, strict: bool) -> str | None:
    opening = _opening(text)
    if not opening:
        return None
    lines = opening.split("\n")
    for name, weak, reason in R.BODY_RULES:
        if strict and weak:
            continue
        if _body_rule(name, opening, lines):
            return reason
    return None


def classify(title: str, text: str) -> tuple[bool, str]:
    """(is_report, class_reason) for a page's title and body text."""
    verdict, reason = analyse_title(normalize_title(title or ""))
    if verdict is True or verdict is False:
        return verdict, reason
    body_reason = _body_verdict(text or "", strict=(verdict == R.BODY_STRICT))
    if body_reason:
        return True, body_reason
    return False, reason or "no-report-signal"


# --- covered year ------------------------------------------------------------------------------------

def _cn_year(m: re.Match) -> str:
    return "".join(str(R.CN_DIGITS[ch]) for ch in m.group(0))


def _upper_bound(published: str | None) -> tuple[int, int | None]:
    """(latest plausible covered year, publication year or None)."""
    pub_year = None
    if published:
        m = re.match(r"\s*((?:19|20)\d\d)", str(published))
        if m:
            pub_year = int(m.group(1))
    if pub_year is not None:
        return pub_year, pub_year
    return _dt.date.today().year, None


def _years_in_title(title: str) -> int | None:
    """The covered year named by a normalized title, ignoring ranges, document numbers, dates,
    and the plan year of "…暨2024年工作要点" (which gives 2023 when it is the only year)."""
    t = _CN_YEAR.sub(_cn_year, title)
    for pat in _YEAR_NOISE:
        t = pat.sub(" ", t)
    covered, plans = [], []
    for m in _YEAR.finditer(t):
        year = int(m.group(1))
        (plans if _PLAN_AFTER.match(t, m.end()) else covered).append(year)
    if covered:
        return min(covered)
    if plans:
        return min(plans) - 1
    return None


def covered_year(title: str, text: str, published: str | None) -> int | None:
    """The year a report covers: from the title, else the body's opening, else published − 1."""
    latest, pub_year = _upper_bound(published)

    def plausible(y: int | None) -> bool:
        return y is not None and R.EARLIEST_YEAR <= y <= latest

    ntitle = normalize_title(title or "")
    if ntitle:
        _, core = _split_title(ntitle)
        for candidate in (core, ntitle):
            y = _years_in_title(candidate)
            if plausible(y):
                return y
    opening = _opening(text or "")[: R.BODY_YEAR_WINDOW]
    if opening:
        lines = opening.split("\n")
        for line in _title_lines(lines):  # the title repeated inside the body
            nline = normalize_title(line)
            if analyse_title(nline)[0] is True:
                y = _years_in_title(_split_title(nline)[1])
                if plausible(y):
                    return y
        for pat in _BODY_YEAR:
            for m in pat.finditer(opening):
                y = int(m.group(1))
                if _PLAN_AFTER.match(opening, m.end(1)):
                    y -= 1
                if plausible(y):
                    return y
    if pub_year is not None and plausible(pub_year - 1):
        return pub_year - 1
    return None
