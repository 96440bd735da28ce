"""What OpenCC's Traditional→Simplified conversion can change: the table behind normalize's fast path.

Most archived text is Simplified already, and OpenCC still walks every character of it (~0.1 ms per
3,000-character report, a tenth of processing). ``pipelines/data/opencc_changes.tsv`` lists what
can make the conversion change a text:

- ``char``: every character the conversion changes on its own;
- ``phrase``: every phrase it changes although none of its characters changes on its own (反覆 →
  反复, 沈默 → 沉默, 打坏 → 打坯 ...), each with the character(s) that change in it (``at``).

A text with none of the ``char`` characters and none of the ``phrase`` phrases comes out of OpenCC
as it went in, so normalize skips the call (``to_simplified``). The phrases come from every phrase
dictionary of the config (segmentation and conversion chain), plus each one with its characters
replaced by their preimages in the first stage (HK variant folding: 户 → 戶 before 戶 → 户), since a
Simplified text shows those. tests/test_opencc_table.py rebuilds the table from the installed OpenCC
and compares, and checks the fast path against plain OpenCC on the seeds, their conversions (s2t, s2hk,
s2tw) and 20,000 random strings drawn from the dictionaries.

Regenerate after an OpenCC upgrade:  python -m pipelines.opencc_table
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

TABLE_FILE = Path(__file__).parent / "data" / "opencc_changes.tsv"


def opencc_dir() -> Path:
    import opencc

    return Path(opencc.__file__).parent / "clib"


def _dict_files(node) -> list[str]:
    """The .ocd2 files a config section names, in order (groups flattened)."""
    if isinstance(node, dict):
        if node.get("type") == "group":
            return [f for d in node["dicts"] for f in _dict_files(d)]
        if "file" in node:
            return [node["file"]]
        return [f for v in node.values() for f in _dict_files(v)]
    if isinstance(node, list):
        return [f for v in node for f in _dict_files(v)]
    return []


def config_stages(config: str) -> list[list[str]]:
    """The dictionary files of a config by stage: normalization and segmentation, then each
    conversion-chain step."""
    spec = json.loads((opencc_dir() / "share" / "opencc" / f"{config}.json").read_text(encoding="utf-8"))
    head = _dict_files(spec.get("normalization", [])) + _dict_files(spec.get("segmentation", {}))
    return [head] + [_dict_files(step) for step in spec["conversion_chain"]]


def read_dictionary(name: str) -> list[tuple[str, list[str]]]:
    """(key, values) of one OpenCC .ocd2 dictionary, through the opencc_dict tool of the wheel."""
    clib = opencc_dir()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dict.txt"
        subprocess.run([str(clib / "bin" / "opencc_dict"), "-i", str(clib / "share" / "opencc" / name),
                        "-o", str(out), "-f", "ocd2", "-t", "text"], check=True, capture_output=True)
        lines = out.read_text(encoding="utf-8").splitlines()
    entries = []
    for line in lines:
        key, _, values = line.partition("\t")
        if key:
            entries.append((key, values.split(" ")))
    return entries


def build(config: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(changing characters, [(phrase, its changing characters)]) of an OpenCC config, sorted."""
    import opencc

    conv = opencc.OpenCC(config)
    stages = config_stages(config)
    dicts = {name: read_dictionary(name) for stage in stages for name in stage}
    chars = set()
    for entries in dicts.values():
        for key, values in entries:
            chars.update(key)
            for v in values:
                chars.update(v)
    changing = {c for c in chars if conv.convert(c) != c}
    # first-stage preimages: a character the first conversion step writes, from which input characters
    first_step = stages[1] if len(stages) > 1 else []
    preimages: dict[str, set[str]] = {}
    for name in first_step:
        for key, values in dicts[name]:
            if len(key) == 1:
                for v in values:
                    if len(v) == 1 and v != key:
                        preimages.setdefault(v, set()).add(key)
    phrases = {key for entries in dicts.values() for key, _ in entries if len(key) > 1}
    for key in list(phrases):
        variants = {""}
        for c in key:
            variants = {v + alt for v in variants for alt in {c, *preimages.get(c, ())}}
        phrases |= variants
    found = []
    for phrase in sorted(phrases):
        if any(c in changing for c in phrase):
            continue  # the character test sends it to OpenCC already
        out = conv.convert(phrase)
        if out != phrase:
            at = ("".join(a for a, b in zip(phrase, out) if a != b) if len(out) == len(phrase) else phrase)
            found.append((phrase, "".join(sorted(set(at)))))
    return sorted(changing), found


def write(config: str, path: Path = TABLE_FILE) -> None:
    import importlib.metadata

    changing, phrases = build(config)
    lines = [f"# what OpenCC {importlib.metadata.version('opencc')} config {config} can change "
             "(generated by python -m pipelines.opencc_table; see its docstring)",
             "# kind\ttext\tchanging characters (phrases)"]
    lines += [f"char\t{c}" for c in changing]
    lines += [f"phrase\t{p}\t{at}" for p, at in phrases]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(path: Path = TABLE_FILE) -> tuple[frozenset[str], dict[str, str]]:
    """(changing characters, {phrase: its changing characters}) from the shipped table."""
    chars, phrases = set(), {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, text, *rest = line.split("\t")
        if kind == "char":
            chars.add(text)
        elif kind == "phrase":
            phrases[text] = rest[0]
        else:
            raise ValueError(f"{path}: unknown kind {kind!r} in line {line!r}")
    return frozenset(chars), phrases


if __name__ == "__main__":
    from pipelines.normalize import OPENCC_CONFIG

    write(sys.argv[1] if len(sys.argv) > 1 else OPENCC_CONFIG)
    changing, phrases = load()
    print(f"{TABLE_FILE}: {len(changing)} characters, {len(phrases)} phrases")
