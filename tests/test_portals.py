"""Tests for the portal registry (crawler/portals.py) and the shipped portals.yaml."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.portals import (
    KNOWN_KEYS,
    LEVELS,
    REPO_PORTALS_PATH,
    Portal,
    PortalFileError,
    load_portals,
    main,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "portals.yaml"
BAD = Path(__file__).resolve().parent / "data" / "bad_portals"

# GB/T 2260 two-digit prefixes of the 31 province-level divisions of the mainland.
PROVINCE_PREFIXES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65",
}


def _error(path: Path) -> PortalFileError:
    with pytest.raises(PortalFileError) as info:
        load_portals(path)
    return info.value


def _write(tmp_path: Path, text: str, name: str = "portals.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# --------------------------------------------------------------------------- shipped registry


@pytest.fixture(scope="module")
def shipped() -> list[Portal]:
    return load_portals(SHIPPED)


def test_shipped_registry_is_the_default_path():
    assert REPO_PORTALS_PATH == SHIPPED
    assert SHIPPED.is_file()


def test_shipped_registry_loads_with_enough_entries(shipped):
    assert len(shipped) >= 62
    assert all(isinstance(p, Portal) for p in shipped)


def test_shipped_names_unique(shipped):
    dupes = [n for n, c in Counter(p.name for p in shipped).items() if c > 1]
    assert dupes == []


def test_shipped_has_31_provinces(shipped):
    provinces = [p for p in shipped if p.level == "province"]
    codes = {p.region_code for p in provinces}
    assert len(provinces) == 31
    assert len(codes) == 31
    assert {c[:2] for c in codes} == PROVINCE_PREFIXES
    assert all(c.endswith("0000") for c in codes)


def test_shipped_has_a_justice_department_per_province(shipped):
    depts = [p for p in shipped if p.level == "department" and re.search(r"司法(厅|局)$", p.name)]
    assert {p.region_code for p in depts} == {
        p.region_code for p in shipped if p.level == "province"
    }
    for p in depts:
        # A department is scoped to its own host(s), never to its government's whole domain.
        hosts = {urlsplit(u).hostname for u in p.start_urls}
        assert set(p.allowed_domains) <= hosts, p.name


def test_shipped_region_codes(shipped):
    for p in shipped:
        if p.level == "central":
            assert p.region_code is None, p.name
            continue
        assert p.region_code is not None, p.name
        assert re.fullmatch(r"\d{6}", p.region_code), p.name
        assert p.region_code[:2] in PROVINCE_PREFIXES, p.name
        if p.level == "city":
            assert p.region_code.endswith("00") and not p.region_code.endswith("0000"), p.name
        if p.level == "county":
            assert not p.region_code.endswith("00"), p.name


def test_shipped_entries_are_complete(shipped):
    for p in shipped:
        assert p.level in LEVELS, p.name
        assert p.issuer, p.name
        assert p.notes, p.name
        assert p.start_urls, p.name
        for u in p.start_urls:
            assert urlsplit(u).scheme in ("http", "https"), u
            assert p.allows(u), (p.name, u)
        # Scopes are named explicitly in the shipped file and never wider than a government.
        for d in p.allowed_domains:
            assert d.count(".") >= 2, (p.name, d)
        # Every non-home URL in the shipped file is unverified: the flag must say so.
        if len(p.start_urls) > 1:
            assert p.column_url_guess, p.name


def test_shipped_scopes_do_not_cover_other_portals_wholesale(shipped):
    # A department's host may sit inside its government's domain, but no entry's scope may be
    # the same as or wider than another *government's* domain at its own level.
    gov_domains = {d for p in shipped if p.level == "province" for d in p.allowed_domains}
    for p in shipped:
        if p.level == "department":
            assert not set(p.allowed_domains) & gov_domains, p.name


# --------------------------------------------------------------------------- bad fixtures

BAD_CASES = [
    # file, expected fragment (entry + field + problem)
    ("not_yaml.yaml", "not_yaml.yaml: line 5, column 10: not valid YAML: expected ',' or ']'"),
    (
        "missing_start_urls.yaml",
        "missing_start_urls.yaml: entry 2 (北京市司法局): start_urls: missing",
    ),
    (
        "no_scheme.yaml",
        "no_scheme.yaml: entry 3 (北京市人民政府): start_urls[0]: 'www.beijing.gov.cn' has no "
        "scheme (expected http:// or https://)",
    ),
    (
        "bad_region_code.yaml",
        "bad_region_code.yaml: entry 1 (天津市人民政府): region_code: 12000 is not a 6-digit "
        "GB/T 2260 code",
    ),
    (
        "unknown_key.yaml",
        "unknown_key.yaml: entry 1 (北京市人民政府): start_url: unknown key (known keys: name, "
        "start_urls,",
    ),
    ("empty.yaml", "empty.yaml: file is empty"),
    ("comments_only.yaml", "comments_only.yaml: file is empty"),
    (
        "duplicate_name.yaml",
        "duplicate_name.yaml: entry 2 (北京市人民政府): name: duplicate of entry 1",
    ),
    (
        "off_domain.yaml",
        "off_domain.yaml: entry 1 (北京市司法局): start_urls[1]: host 'www.beijing.gov.cn' is "
        "outside allowed_domains [sfj.beijing.gov.cn]",
    ),
    (
        "lookalike_domain.yaml",
        "lookalike_domain.yaml: entry 1 (北京市人民政府): start_urls[0]: host "
        "'www.evilbeijing.gov.cn' is outside allowed_domains [beijing.gov.cn]",
    ),
    (
        "bad_scheme.yaml",
        "bad_scheme.yaml: entry 1 (北京市人民政府): start_urls[1]: "
        "'ftp://www.beijing.gov.cn/pub/' has scheme 'ftp' (expected http or https)",
    ),
    ("no_host.yaml", "no_host.yaml: entry 1 (北京市人民政府): start_urls[0]: 'https:///gongkai/' has no host"),
    (
        "bad_level.yaml",
        "bad_level.yaml: entry 1 (北京市人民政府): level: 'provincial' is not one of: province,",
    ),
    ("top_level_scalar.yaml", "top_level_scalar.yaml: top level is a string"),
    ("no_portals_key.yaml", "no_portals_key.yaml: top-level mapping has no 'portals:' key"),
    ("entry_not_mapping.yaml", "entry_not_mapping.yaml: entry 2: must be a mapping"),
    ("missing_name.yaml", "missing_name.yaml: entry 1: name: missing"),
    ("empty_start_urls.yaml", "empty_start_urls.yaml: entry 1 (北京市人民政府): start_urls: is empty"),
    (
        "start_urls_mapping.yaml",
        "start_urls_mapping.yaml: entry 1 (北京市人民政府): start_urls: must be a list of URLs, "
        "not a mapping",
    ),
    (
        "allowed_domains_string.yaml",
        "allowed_domains_string.yaml: entry 1 (北京市人民政府): allowed_domains: must be a list "
        "of host names, not a string",
    ),
    (
        "allowed_domains_url.yaml",
        "allowed_domains_url.yaml: entry 1 (北京市人民政府): allowed_domains[0]: "
        "'https://www.beijing.gov.cn/' is a URL",
    ),
    (
        "public_suffix_scope.yaml",
        "public_suffix_scope.yaml: entry 1 (司法部): allowed_domains[0]: 'gov.cn' is a public "
        "suffix",
    ),
    (
        "duplicate_key.yaml",
        "duplicate_key.yaml: entry 1 (北京市人民政府): level: given twice (lines 4 and 5)",
    ),
    (
        "bad_guess_flag.yaml",
        "bad_guess_flag.yaml: entry 1 (北京市人民政府): column_url_guess: must be true or false",
    ),
]


@pytest.mark.parametrize("name,fragment", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_fixture(name, fragment):
    path = BAD / name
    assert path.is_file(), f"fixture missing: {path}"
    err = _error(path)
    message = str(err)
    assert fragment in message
    assert "\n" not in message  # one line
    assert message.startswith(str(path) + ":")  # names the file as given
    assert err.path == str(path)
    assert isinstance(err, ValueError)
    assert err.errors[0] in message


def test_every_fixture_is_covered():
    assert {p.name for p in BAD.glob("*.yaml")} == {c[0] for c in BAD_CASES}


def test_unknown_key_suggests_the_right_one():
    err = _error(BAD / "unknown_key.yaml")
    assert "did you mean 'start_urls'?" in err.errors[0]
    for key in KNOWN_KEYS:
        assert key in err.errors[0]


def test_errors_name_the_line():
    assert str(_error(BAD / "no_scheme.yaml")).endswith("(line 8)")
    assert "(while parsing a flow sequence started at line 4)" in str(_error(BAD / "not_yaml.yaml"))


def test_all_errors_are_collected(tmp_path):
    p = _write(
        tmp_path,
        """
portals:
  - name: A
    start_urls: [www.a.gov.cn]
  - name: B
    start_urls: [https://www.b.gov.cn/]
    region_code: 12
  - name: A
    start_urls: [https://www.a.gov.cn/]
""",
    )
    err = _error(p)
    assert len(err.errors) == 3
    assert "entry 1 (A): start_urls[0]" in err.errors[0]
    assert "entry 2 (B): region_code" in err.errors[1]
    assert "entry 3 (A): name: duplicate of entry 1" in err.errors[2]
    assert str(err).endswith("[and 2 more errors]")
    assert "\n" not in str(err)


def test_missing_file(tmp_path):
    err = _error(tmp_path / "nope.yaml")
    assert str(err) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_directory_is_not_a_file(tmp_path):
    assert "is a directory" in str(_error(tmp_path))


def test_not_utf8(tmp_path):
    p = tmp_path / "gbk.yaml"
    p.write_bytes("portals:\n  - name: 北京市人民政府\n".encode("gbk"))
    assert "not UTF-8 text" in str(_error(p))


def test_empty_list(tmp_path):
    assert "no portal entries" in str(_error(_write(tmp_path, "portals: []\n")))
    assert "no portal entries" in str(_error(_write(tmp_path, "[]\n")))
    assert "portals: is empty" in str(_error(_write(tmp_path, "portals:\n")))


def test_unknown_top_level_key(tmp_path):
    p = _write(tmp_path, "portals:\n  - name: A\n    start_urls: [https://a.gov.cn/]\nversion: 2\n")
    assert "unknown top-level key 'version'" in str(_error(p))


@pytest.mark.parametrize(
    "value,problem",
    [
        ('"1100000"', "is not a 6-digit"),
        ('"11000a"', "is not a 6-digit"),
        ("true", "not a boolean"),
        ("110000.0", "not a number"),
        ("[110000]", "not a list"),
    ],
)
def test_bad_region_codes(tmp_path, value, problem):
    p = _write(tmp_path, f"- name: A\n  start_urls: [https://a.gov.cn/]\n  region_code: {value}\n")
    message = str(_error(p))
    assert "entry 1 (A): region_code:" in message
    assert problem in message


@pytest.mark.parametrize(
    "url,problem",
    [
        ("//www.a.gov.cn/", "has no scheme"),
        ("mailto:x@a.gov.cn", "has no scheme"),
        ("javascript://a.gov.cn/", "has scheme 'javascript'"),
        ("https://www.a.gov.cn:99999/", "is not a valid URL"),
        ("https://user@www.a.gov.cn/", "contains user info"),
        ("https://www.a .gov.cn/", "contains whitespace"),
        ("https://www_a.gov.cn/", "invalid host name"),
        ("42", "has no scheme"),
    ],
)
def test_bad_urls(tmp_path, url, problem):
    p = _write(tmp_path, f"- name: A\n  start_urls: ['{url}']\n")
    message = str(_error(p))
    assert "entry 1 (A): start_urls[0]:" in message
    assert problem in message


def test_url_that_is_not_a_string(tmp_path):
    p = _write(tmp_path, "- name: A\n  start_urls: [42]\n")
    assert "start_urls[0]: must be a URL string, not an integer" in str(_error(p))


def test_name_must_be_text(tmp_path):
    p = _write(tmp_path, "- name: 2024\n  start_urls: [https://a.gov.cn/]\n")
    assert "entry 1: name: must be a string, not an integer" in str(_error(p))


@pytest.mark.parametrize(
    "domains,problem",
    [
        ("['*.beijing.gov.cn']", "write the bare domain"),
        ("[.beijing.gov.cn]", "write the bare domain"),
        ("['beijing.gov.cn:443']", "contains a port"),
        ("[beijing.gov.cn/gongkai]", "contains a path"),
        ("[cn]", "is a public suffix"),
        ("[]", "allowed_domains: is empty"),
        ("[7]", "must be a host name string"),
    ],
)
def test_bad_allowed_domains(tmp_path, domains, problem):
    p = _write(
        tmp_path,
        f"- name: A\n  start_urls: [https://www.beijing.gov.cn/]\n  allowed_domains: {domains}\n",
    )
    message = str(_error(p))
    assert "entry 1 (A): allowed_domains" in message
    assert problem in message


def test_repeated_start_url(tmp_path):
    p = _write(tmp_path, "- name: A\n  start_urls: [https://a.gov.cn/, https://a.gov.cn/]\n")
    assert "start_urls[1]: 'https://a.gov.cn/' repeats start_urls[0]" in str(_error(p))


# --------------------------------------------------------------------------- good input


def test_bare_list_and_conversions(tmp_path):
    p = _write(
        tmp_path,
        """
- name: 北京市人民政府
  start_urls: https://WWW.Beijing.gov.cn:8443/gongkai/
  region_code: 110000
  level: province
- name: 北京市司法局
  issuer: 北京市司法局
  start_urls:
    - https://sfj.beijing.gov.cn/
    - http://SFJ.beijing.gov.cn./sfj/zwgk/
  region_code: "110000"
  level: department
  column_url_guess: true
  notes: guessed
""",
    )
    gov, dept = load_portals(p)
    assert gov.start_urls == ("https://WWW.Beijing.gov.cn:8443/gongkai/",)  # single string wrapped
    assert gov.allowed_domains == ("www.beijing.gov.cn",)  # lower-cased, port stripped
    assert gov.region_code == "110000"  # int accepted, stored as str
    assert gov.issuer is None and gov.notes is None and gov.column_url_guess is False
    assert dept.allowed_domains == ("sfj.beijing.gov.cn",)  # de-duplicated, trailing dot gone
    assert dept.column_url_guess is True
    assert dept.to_dict()["start_urls"] == list(dept.start_urls)


def test_mapping_top_level_and_explicit_scope(tmp_path):
    p = _write(
        tmp_path,
        """
portals:
  - name: 北京市人民政府
    start_urls: [https://www.beijing.gov.cn/, https://xxgk.beijing.gov.cn/]
    allowed_domains: [Beijing.gov.cn, beijing.gov.cn]
""",
    )
    (portal,) = load_portals(p)
    assert portal.allowed_domains == ("beijing.gov.cn",)


def test_accepts_pathlike_and_str(tmp_path):
    p = _write(tmp_path, "- name: A\n  start_urls: [https://a.gov.cn/]\n")
    assert load_portals(str(p)) == load_portals(p)


def test_portal_is_frozen_and_hashable():
    p = Portal(name="A", start_urls=["https://a.gov.cn/"])
    assert p.start_urls == ("https://a.gov.cn/",)
    assert p.allowed_domains == ("a.gov.cn",)
    with pytest.raises(AttributeError):
        p.name = "B"  # type: ignore[misc]
    assert hash(p) == hash(Portal(name="A", start_urls=("https://a.gov.cn/",)))


def test_idn_host(tmp_path):
    p = _write(tmp_path, "- name: A\n  start_urls: ['http://北京.政务/']\n")
    (portal,) = load_portals(p)
    assert portal.allowed_domains == ("xn--1lq90i.xn--zfr164b",)
    assert portal.allows("http://www.北京.政务/x")


# --------------------------------------------------------------------------- Portal.allows


@pytest.fixture()
def beijing() -> Portal:
    return Portal(
        name="北京市人民政府",
        start_urls=("https://www.beijing.gov.cn/",),
        allowed_domains=("beijing.gov.cn",),
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://beijing.gov.cn/",
        "https://www.beijing.gov.cn/gongkai/",
        "http://sfj.beijing.gov.cn/sfj/zwgk/index.html",
        "https://a.b.beijing.gov.cn:8443/x?y=1#z",
        "https://WWW.BEIJING.GOV.CN/",
        "https://www.beijing.gov.cn./",
    ],
)
def test_allows_domain_and_subdomains(beijing, url):
    assert beijing.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://evilbeijing.gov.cn/",  # lookalike suffix
        "https://www.evilbeijing.gov.cn/",
        "https://www.beijing.gov.cn.evil.com/",  # allowed name as a prefix
        "https://www.tj.gov.cn/",  # other host
        "https://gov.cn/",
        "https://www.beijing.gov.cn@evil.com/",  # user info trick
        "/relative/path.html",
        "mailto:someone@beijing.gov.cn",
        "",
        "http://[::1/",  # unparsable
    ],
)
def test_refuses_other_hosts(beijing, url):
    assert not beijing.allows(url)


def test_hand_built_portal_is_normalized():
    p = Portal(name="A", start_urls="https://a.gov.cn/", allowed_domains=["A.gov.cn."])
    assert p.start_urls == ("https://a.gov.cn/",)
    assert p.allowed_domains == ("a.gov.cn",)
    assert p.allows("https://www.a.gov.cn/")


def test_default_scope_is_the_start_hosts():
    p = Portal(name="A", start_urls=("https://sfj.beijing.gov.cn/",))
    assert p.allows("https://sfj.beijing.gov.cn/x")
    assert p.allows("https://img.sfj.beijing.gov.cn/x.png")
    assert not p.allows("https://www.beijing.gov.cn/")


# --------------------------------------------------------------------------- CLI


def test_cli(capsys):
    assert main([str(SHIPPED)]) == 0
    assert "portals OK" in capsys.readouterr().out
    assert main([str(BAD / "unknown_key.yaml")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2  # every problem, one per line
    assert "start_url: unknown key" in err[0]
    assert "start_urls: missing" in err[1]


# -- search_url (站内搜索, issue 9) -------------------------------------------------------------------
def test_search_url_is_read_and_checked(tmp_path):
    ok = _write(tmp_path, "- name: 龙泉市人民政府\n  start_urls: [http://www.longquan.gov.cn/]\n"
                          "  search_url: http://www.longquan.gov.cn/jsearchfront/search.do?q={query}\n")
    (p,) = load_portals(ok)
    assert p.search_url == "http://www.longquan.gov.cn/jsearchfront/search.do?q={query}"
    assert load_portals(_write(tmp_path, "- name: x\n  start_urls: [http://a.gov.cn/]\n"))[0].search_url is None
    for value, problem in (
        ("http://www.longquan.gov.cn/search.do", "has no {query} placeholder"),
        ("www.longquan.gov.cn/s?q={query}", "has no scheme"),
        ("http://www.other.gov.cn/s?q={query}", "outside allowed_domains"),
        ("[1, 2]", "must be a URL with a {query} placeholder"),
    ):
        bad = _write(tmp_path, f"- name: x\n  start_urls: [http://www.longquan.gov.cn/]\n  search_url: {value}\n")
        with pytest.raises(PortalFileError) as e:
            load_portals(bad)
        assert "entry 1 (x): search_url:" in str(e.value) and problem in str(e.value), str(e.value)
