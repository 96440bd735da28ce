"""The portal registry: which government sites lawgov crawls, and how far it may wander.

A registry is a YAML file (the shipped one is ``portals.yaml`` at the top of the repository).
Its top level is either a list of entries or a mapping with a single ``portals:`` list::

    portals:
      - name: 北京市人民政府              # required, unique in the file
        start_urls:                       # required: a list (a single string is accepted too)
          - https://www.beijing.gov.cn/
          - https://www.beijing.gov.cn/gongkai/zfxxgk/
        issuer: 北京市人民政府            # optional: the body whose reports these are
        region_code: 110000               # optional: 6-digit GB/T 2260 code (int or str)
        allowed_domains: [beijing.gov.cn] # optional: default = the hosts of start_urls
        level: province                   # optional: see LEVELS
        column_url_guess: true            # optional, default false
        notes: 栏目地址为推测              # optional
        search_url: https://www.beijing.gov.cn/so/s?qt={query}   # optional: 站内搜索, {query} filled in

Everything is checked before the first request is made. ``load_portals`` raises
``PortalFileError`` (a ``ValueError``) whose message is one line naming the file, the entry
(1-based index and name when known), the field and the problem, e.g.::

    portals.yaml: entry 3 (北京市人民政府): start_urls[0]: 'www.beijing.gov.cn' has no scheme
    (expected http:// or https://) (line 12)

(shown wrapped here; the real message is one line). All problems found are kept in
``PortalFileError.errors`` (one line each); the message carries the first and says how many more
there are. ``python -m crawler.portals FILE`` prints them all.

Entry indexes are 1-based ("entry 1" is the first entry); list subscripts such as
``start_urls[0]`` are 0-based, as in Python. Line numbers are 1-based.

Decisions
- ``start_urls`` may be a single string; it is wrapped into a one-element list.
  ``allowed_domains`` must be a list (a scope is easy to get wrong, so no shortcut).
- ``region_code`` may be written as an int (YAML reads ``110000`` as one) or a string; it is
  stored as a 6-character string. Booleans and floats are rejected.
- Host names are compared lower-cased, without port and trailing dot; non-ASCII (IDN) host names
  are compared in their punycode form.
- ``allowed_domains`` entries are bare host names: no scheme, port, path, leading dot or ``*.``.
  A domain allows itself and all its subdomains (``beijing.gov.cn`` allows
  ``sfj.beijing.gov.cn`` but not ``evilbeijing.gov.cn``). Public suffixes (``gov.cn``, a bare
  ``cn``, ...) are refused as scopes.
- Unknown keys are errors (so ``start_url`` is caught), and so are duplicate keys inside one
  mapping (YAML would otherwise silently keep the last one).
"""
from __future__ import annotations

import difflib
import ipaddress
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

__all__ = [
    "KNOWN_KEYS",
    "LEVELS",
    "REPO_PORTALS_PATH",
    "Portal",
    "PortalFileError",
    "host_allowed",
    "load_portals",
    "normalize_host",
]

#: Administrative levels an entry may declare.
LEVELS: tuple[str, ...] = ("province", "city", "county", "township", "department", "central")

#: Keys an entry may carry, in the order they are documented.
KNOWN_KEYS: tuple[str, ...] = (
    "name",
    "start_urls",
    "issuer",
    "region_code",
    "allowed_domains",
    "level",
    "column_url_guess",
    "notes",
    "search_url",
)

#: The registry shipped with the repository (``portals.yaml`` at the top level).
REPO_PORTALS_PATH = Path(__file__).resolve().parent.parent / "portals.yaml"

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_REGION_RE = re.compile(r"^[0-9]{6}$")
#: Domains too wide to be a crawl scope (besides any single label other than localhost).
_PUBLIC_SUFFIXES = frozenset(
    {"gov.cn", "com.cn", "net.cn", "org.cn", "edu.cn", "ac.cn", "mil.cn"}
)
_TOP_HINT = "expected a list of portal entries or a mapping with a 'portals:' list"


class PortalFileError(ValueError):
    """A portal registry file cannot be used.

    ``str(err)`` is one line: the first problem, plus a count of the others.
    ``err.errors`` lists every problem found, one line each; ``err.path`` is the file as given.
    """

    def __init__(self, path: str, errors: list[str]):
        self.path = path
        self.errors = list(errors)
        message = self.errors[0]
        if len(self.errors) > 1:
            more = len(self.errors) - 1
            message += f" [and {more} more error{'s' if more > 1 else ''}]"
        super().__init__(message)


@dataclass(frozen=True)
class Portal:
    """One registry entry, validated. Sequences are tuples so a Portal is hashable."""

    name: str
    start_urls: tuple[str, ...]
    issuer: str | None = None
    region_code: str | None = None
    allowed_domains: tuple[str, ...] = field(default=())
    level: str | None = None
    column_url_guess: bool = False
    notes: str | None = None
    # the portal's site search, with {query} where the search words go (used when the column is unknown)
    search_url: str | None = None

    def __post_init__(self) -> None:
        # Callers that build Portals by hand may pass lists or one string; store tuples.
        urls = self.start_urls
        object.__setattr__(self, "start_urls", (urls,) if isinstance(urls, str) else tuple(urls))
        domains = self.allowed_domains
        if isinstance(domains, str):
            domains = (domains,)
        normalized: list[str] = []
        for d in domains:
            try:
                d = normalize_host(d)
            except (UnicodeError, ValueError):
                pass
            if d and d not in normalized:
                normalized.append(d)
        object.__setattr__(
            self, "allowed_domains", tuple(normalized) or _default_domains(self.start_urls)
        )

    def allows(self, url: str) -> bool:
        """True when the URL's host is one of ``allowed_domains`` or a subdomain of one."""
        try:
            host = urlsplit(url.strip()).hostname
        except (AttributeError, ValueError):
            return False
        if not host:
            return False
        return host_allowed(host, self.allowed_domains)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (lists instead of tuples), e.g. for JSON or the archive."""
        d = asdict(self)
        d["start_urls"] = list(self.start_urls)
        d["allowed_domains"] = list(self.allowed_domains)
        return d


def normalize_host(host: str) -> str:
    """Lower-case, strip a trailing dot, and punycode non-ASCII labels.

    Raises ValueError when a non-ASCII name cannot be encoded.
    """
    h = host.strip().rstrip(".").lower()
    if h and not h.isascii():
        h = h.encode("idna").decode("ascii")
    return h


def host_allowed(host: str, domains: Iterable[str]) -> bool:
    """True when ``host`` equals a domain or ends with ``"." + domain``."""
    try:
        h = normalize_host(host)
    except (UnicodeError, ValueError):
        return False
    if not h:
        return False
    for d in domains:
        if h == d or h.endswith("." + d):
            return True
    return False


def _default_domains(urls: Iterable[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for u in urls:
        try:
            host = urlsplit(u).hostname
        except ValueError:
            continue
        if host:
            try:
                host = normalize_host(host)
            except (UnicodeError, ValueError):
                continue
            if host not in seen:
                seen.append(host)
    return tuple(seen)


# --------------------------------------------------------------------------- YAML reading


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that records duplicate keys instead of silently keeping the last value.

    ``self.duplicates`` maps ``id(mapping_node)`` to ``[(key, first_line, line), ...]``
    (1-based lines), so the validator can report them against the right entry.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: dict[int, list[tuple[Any, int, int]]] = {}

    def construct_mapping(self, node, deep=False):  # noqa: D401 - yaml API
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue  # the parent class reports unhashable keys
                line = key_node.start_mark.line + 1
                if key in seen:
                    self.duplicates.setdefault(id(node), []).append((key, seen[key], line))
                else:
                    seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path_text: str, path: Path) -> tuple[Any, Any, dict]:
    """Return (data, root_node, duplicates). Raises PortalFileError for I/O and syntax problems."""

    def fail(problem: str) -> PortalFileError:
        return PortalFileError(path_text, [f"{path_text}: {problem}"])

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found") from None
    except IsADirectoryError:
        raise fail("is a directory, not a YAML file") from None
    except PermissionError:
        raise fail("cannot read file (permission denied)") from None
    except OSError as exc:
        raise fail(f"cannot read file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(f"line {line}: not UTF-8 text (byte offset {exc.start})") from None

    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        context = ""
        if exc.problem and exc.context and exc.context_mark is not None:
            context = f" ({exc.context} started at line {exc.context_mark.line + 1})"
        raise fail(f"{where}not valid YAML: {problem}{context}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise fail(f"not valid YAML: {' '.join(str(exc).split())}") from None
    finally:
        loader.dispose()
    return data, node, loader.duplicates


def _node_lines(node: Any) -> dict[Any, int]:
    """1-based line numbers of an entry's fields: {key: line, (key, i): line of item i}."""
    lines: dict[Any, int] = {}
    if not isinstance(node, MappingNode):
        return lines
    lines["__entry__"] = node.start_mark.line + 1
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            continue
        key = key_node.value
        lines.setdefault(("key", key), key_node.start_mark.line + 1)
        lines.setdefault(key, value_node.start_mark.line + 1)
        if isinstance(value_node, SequenceNode):
            for i, item in enumerate(value_node.value):
                lines.setdefault((key, i), item.start_mark.line + 1)
    return lines


# --------------------------------------------------------------------------- validation


# How a YAML value is named in an error message; bool before int (a bool is an int in Python).
_YAML_TYPE_NAMES = ((type(None), "null"), (bool, "a boolean"), (int, "an integer"), (float, "a number"),
                    (str, "a string"), (list, "a list"), (dict, "a mapping"))


def _describe(value: Any) -> str:
    return next((name for typ, name in _YAML_TYPE_NAMES if isinstance(value, typ)), type(value).__name__)


def _check_url(url: Any) -> tuple[str | None, str | None, str | None]:
    """Return (url, host, problem); exactly one of (url and host) / problem is set."""
    if not isinstance(url, str):
        return None, None, f"must be a URL string, not {_describe(url)}"
    u = url.strip()
    if not u:
        return None, None, "is empty"
    if any(c.isspace() for c in u):
        return None, None, f"{u!r} contains whitespace"
    m = _SCHEME_RE.match(u)
    if not m:
        return None, None, f"{u!r} has no scheme (expected http:// or https://)"
    scheme = m.group(1).lower()
    if scheme not in ("http", "https"):
        return None, None, f"{u!r} has scheme {scheme!r} (expected http or https)"
    try:
        parts = urlsplit(u)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return None, None, f"{u!r} is not a valid URL ({exc})"
    if not host:
        return None, None, f"{u!r} has no host"
    if parts.username is not None or parts.password is not None:
        return None, None, f"{u!r} contains user info before the host"
    try:
        host = normalize_host(host)
    except (UnicodeError, ValueError):
        return None, None, f"{u!r} has an invalid host name"
    if not _valid_host(host):
        return None, None, f"{u!r} has an invalid host name {host!r}"
    return u, host, None


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    if not host or len(host) > 253:
        return False
    return all(_LABEL_RE.match(label) for label in host.split("."))


def _check_domain(value: Any) -> tuple[str | None, str | None]:
    """Return (domain, problem)."""
    if not isinstance(value, str):
        return None, f"must be a host name string, not {_describe(value)}"
    d = value.strip()
    if not d:
        return None, "is empty"
    if "://" in d:
        return None, f"{d!r} is a URL; write only the host name (e.g. 'beijing.gov.cn')"
    if d.startswith("*.") or d.startswith("."):
        return None, f"{d!r}: write the bare domain; its subdomains are always allowed"
    if "/" in d:
        return None, f"{d!r} contains a path; write only the host name"
    if ":" in d and not _is_ipv6(d):
        return None, f"{d!r} contains a port; write only the host name"
    try:
        norm = normalize_host(d)
    except (UnicodeError, ValueError):
        return None, f"{d!r} is not a valid host name"
    if not _valid_host(norm):
        return None, f"{d!r} is not a valid host name"
    if norm in _PUBLIC_SUFFIXES or ("." not in norm and norm != "localhost" and not _is_ip(norm)):
        return None, (
            f"{d!r} is a public suffix; it would let the crawler roam every site under it "
            "(write the government's own domain, e.g. 'beijing.gov.cn')"
        )
    return norm, None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _is_ipv6(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 6
    except ValueError:
        return False


def _check_region(value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None, f"must be a 6-digit GB/T 2260 code, not {_describe(value)}"
    code = str(value).strip()
    if not _REGION_RE.match(code):
        return None, f"{value!r} is not a 6-digit GB/T 2260 code (e.g. 110000)"
    return code, None


def _validate_entry(
    entry: dict,
    where: str,
    lines: dict[Any, int],
    duplicates: list[tuple[Any, int, int]] = (),
) -> tuple[dict[str, Any] | None, list[str]]:
    """Validate one mapping; return (kwargs for Portal or None, problems)."""
    errors: list[str] = []

    def err(field_: str, problem: str, line_key: Any = None) -> None:
        line = lines.get(line_key if line_key is not None else field_) or lines.get("__entry__")
        suffix = f" (line {line})" if line else ""
        errors.append(f"{where}: {field_}: {problem}{suffix}")

    for key, first, again in duplicates:
        errors.append(
            f"{where}: {key}: given twice (lines {first} and {again}); keep one"
        )

    for key in entry:
        if key not in KNOWN_KEYS:
            hint = ""
            if isinstance(key, str):
                close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.6)
                if close:
                    hint = f"; did you mean {close[0]!r}?"
            err(str(key), f"unknown key (known keys: {', '.join(KNOWN_KEYS)}){hint}",
                ("key", key))

    out: dict[str, Any] = {}

    # name
    name = entry.get("name")
    if "name" not in entry or name is None:
        err("name", "missing (every entry needs a non-empty name)")
    elif not isinstance(name, str):
        err("name", f"must be a string, not {_describe(name)}")
    elif not name.strip():
        err("name", "is empty")
    else:
        out["name"] = name.strip()

    # start_urls
    urls: list[str] = []
    hosts: list[str] = []
    positions: list[int] = []  # index in the file's list of each accepted URL
    raw_urls = entry.get("start_urls")
    raw_list: list[Any] | None = None
    if "start_urls" not in entry or raw_urls is None:
        err("start_urls", "missing (give the portal home page and, if known, the report column)")
    elif isinstance(raw_urls, str):
        raw_list = [raw_urls]  # a single URL is accepted and wrapped
    elif isinstance(raw_urls, list):
        raw_list = raw_urls
    else:
        err("start_urls", f"must be a list of URLs, not {_describe(raw_urls)}")
    if raw_list is not None:
        if not raw_list:
            err("start_urls", "is empty (give at least the portal home page)")
        for i, item in enumerate(raw_list):
            label = f"start_urls[{i}]"
            line_key = ("start_urls", i) if isinstance(raw_urls, list) else "start_urls"
            u, host, problem = _check_url(item)
            if problem:
                err(label, problem, line_key)
                continue
            assert u is not None and host is not None
            if u in urls:
                err(label, f"{u!r} repeats start_urls[{positions[urls.index(u)]}]", line_key)
                continue
            urls.append(u)
            hosts.append(host)
            positions.append(i)
        out["start_urls"] = tuple(urls)

    # allowed_domains
    domains: list[str] = []
    raw_domains = entry.get("allowed_domains")
    domains_ok = True
    if raw_domains is not None:
        raw_dlist: list[Any]
        if isinstance(raw_domains, list):
            raw_dlist = raw_domains
        else:
            raw_dlist = []
            domains_ok = False
            hint = f" (write [{raw_domains}])" if isinstance(raw_domains, str) else ""
            err("allowed_domains",
                f"must be a list of host names, not {_describe(raw_domains)}{hint}")
        if domains_ok and not raw_dlist:
            domains_ok = False
            err("allowed_domains", "is empty (leave the key out to allow the start URLs' hosts)")
        for i, item in enumerate(raw_dlist):
            line_key = ("allowed_domains", i)
            d, problem = _check_domain(item)
            if problem:
                domains_ok = False
                err(f"allowed_domains[{i}]", problem, line_key)
                continue
            assert d is not None
            if d not in domains:
                domains.append(d)
    if domains_ok and domains:
        for idx, host in zip(positions, hosts):
            if not host_allowed(host, domains):
                err(
                    f"start_urls[{idx}]",
                    f"host {host!r} is outside allowed_domains [{', '.join(domains)}]",
                    ("start_urls", idx) if isinstance(raw_urls, list) else "start_urls",
                )
        out["allowed_domains"] = tuple(domains)
    else:
        out["allowed_domains"] = _default_domains(urls)

    # issuer, notes
    for key in ("issuer", "notes"):
        value = entry.get(key)
        if value is None:
            out[key] = None
        elif not isinstance(value, str):
            err(key, f"must be a string, not {_describe(value)}")
        else:
            out[key] = value.strip() or None

    # region_code
    code, problem = _check_region(entry.get("region_code"))
    if problem:
        err("region_code", problem)
    out["region_code"] = code

    # level
    level = entry.get("level")
    if level is None:
        out["level"] = None
    elif not isinstance(level, str) or level.strip() not in LEVELS:
        err("level", f"{level!r} is not one of: {', '.join(LEVELS)}")
    else:
        out["level"] = level.strip()

    # column_url_guess
    guess = entry.get("column_url_guess", False)
    if guess is None:
        guess = False
    if not isinstance(guess, bool):
        err("column_url_guess", f"must be true or false, not {guess!r}")
    else:
        out["column_url_guess"] = guess

    # search_url: an http(s) URL on the portal's own domains with a {query} placeholder
    search = entry.get("search_url")
    if search is not None:
        if not isinstance(search, str) or "{query}" not in search:
            err("search_url", f"must be a URL with a {{query}} placeholder, not {_describe(search)}"
                if not isinstance(search, str) else f"{search!r} has no {{query}} placeholder")
        else:
            u, host, problem = _check_url(search.replace("{query}", "q"))
            if problem:
                err("search_url", problem.replace("'" + search.replace("{query}", "q").strip() + "'",
                                                  repr(search.strip())))
            elif not host_allowed(host, out.get("allowed_domains") or ()):
                err("search_url", f"host {host!r} is outside allowed_domains "
                                  f"[{', '.join(out.get('allowed_domains') or ())}]")
            else:
                out["search_url"] = search.strip()

    return (None if errors else out), errors


def load_portals(path: str | os.PathLike[str]) -> list[Portal]:
    """Read and validate a registry file; return its portals in file order.

    Raises PortalFileError (a ValueError) when anything is wrong; nothing is requested first.
    """
    path_text = os.fspath(path)
    data, root, duplicates = _read_yaml(path_text, Path(path_text))

    def fail(problem: str) -> PortalFileError:
        return PortalFileError(path_text, [f"{path_text}: {problem}"])

    if data is None:
        raise fail(f"file is empty ({_TOP_HINT})")
    if isinstance(data, dict) and id(root) in duplicates:
        key, first, again = duplicates[id(root)][0]
        raise fail(f"top-level key {key!r} given twice (lines {first} and {again})")
    entries_node = root
    if isinstance(data, dict):
        extra = [k for k in data if k != "portals"]
        if "portals" not in data:
            raise fail(f"top-level mapping has no 'portals:' key ({_TOP_HINT})")
        if extra:
            raise fail(
                f"unknown top-level key {extra[0]!r} (only 'portals' is allowed at the top level)"
            )
        entries = data["portals"]
        entries_node = next(
            (v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "portals"),
            None,
        )
        if entries is None:
            raise fail("portals: is empty (expected a list of portal entries)")
        if not isinstance(entries, list):
            raise fail(f"portals: must be a list of entries, not {_describe(entries)}")
    elif isinstance(data, list):
        entries = data
    else:
        raise fail(f"top level is {_describe(data)} ({_TOP_HINT})")
    if not entries:
        raise fail("no portal entries (the list is empty)")

    item_nodes = entries_node.value if isinstance(entries_node, SequenceNode) else []
    errors: list[str] = []
    portals: list[Portal] = []
    first_by_name: dict[str, int] = {}
    for i, entry in enumerate(entries, start=1):
        node = item_nodes[i - 1] if i - 1 < len(item_nodes) else None
        line = node.start_mark.line + 1 if node is not None else None
        if not isinstance(entry, dict):
            at = f" (line {line})" if line else ""
            errors.append(
                f"{path_text}: entry {i}: must be a mapping with name: and start_urls:, "
                f"not {_describe(entry)}{at}"
            )
            continue
        name = entry.get("name")
        label = name.strip() if isinstance(name, str) and name.strip() else None
        where = f"{path_text}: entry {i} ({label})" if label else f"{path_text}: entry {i}"
        lines = _node_lines(node)
        if label is not None:
            if label in first_by_name:
                at = f" (line {lines['name']})" if "name" in lines else ""
                errors.append(
                    f"{where}: name: duplicate of entry {first_by_name[label]}{at}"
                )
            else:
                first_by_name[label] = i
        kwargs, problems = _validate_entry(entry, where, lines, duplicates.pop(id(node), []))
        errors.extend(problems)
        if kwargs is not None:
            portals.append(Portal(**kwargs))
    # Duplicate keys anywhere else (e.g. in a mapping nested inside a field).
    for dups in duplicates.values():
        for key, first, again in dups:
            errors.append(f"{path_text}: line {again}: key {key!r} given twice (first at line {first})")
    if errors:
        raise PortalFileError(path_text, errors)
    return portals


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """``python -m crawler.portals [FILE ...]``: validate registries, list every problem."""
    args = sys.argv[1:] if argv is None else argv
    paths = args or [str(REPO_PORTALS_PATH)]
    status = 0
    for p in paths:
        try:
            portals = load_portals(p)
        except PortalFileError as exc:
            for line in exc.errors:
                print(line, file=sys.stderr)
            status = 1
            continue
        by_level: dict[str, int] = {}
        for portal in portals:
            by_level[portal.level or "unspecified"] = by_level.get(portal.level or "unspecified", 0) + 1
        guessed = sum(1 for portal in portals if portal.column_url_guess)
        summary = ", ".join(f"{n} {lvl}" for lvl, n in sorted(by_level.items()))
        print(f"{p}: {len(portals)} portals OK ({summary}; {guessed} with column_url_guess: true)")
    return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
