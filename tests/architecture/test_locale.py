"""Korean first: every message a user can see has its Korean in the one catalogue (the .po), the compiled
catalogue the server loads is that catalogue, and no translation drops a placeholder."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "nic1000"
PO = SRC / "locale" / "ko" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@dataclass
class Entry:
    msgid: str = ""
    context: str = ""
    plural: str = ""
    strs: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.strs) and all(s.strip() for s in self.strs)


def _parse(path: Path) -> dict[str, Entry]:
    """A minimal .po reader: msgid, msgid_plural, msgstr / msgstr[n], the fuzzy flag; obsolete (#~) skipped."""
    entries: dict[str, Entry] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, target = Entry(), None
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry.fuzzy = True
            elif line.startswith("#") or not line.strip():
                continue
            else:
                key, _, rest = line.partition(" ")
                if line.startswith('"'):
                    value: str = ast.literal_eval(line)
                else:
                    value = ast.literal_eval(rest)
                    target = key
                    if key.startswith("msgstr"):
                        entry.strs.append("")
                if target == "msgctxt":
                    entry.context += value
                elif target == "msgid":
                    entry.msgid += value
                elif target == "msgid_plural":
                    entry.plural += value
                elif target and target.startswith("msgstr"):
                    entry.strs[-1] += value
        if entry.msgid:
            # A msgid with a context (pgettext) is another message: "Open" a button vs "Open" a case state.
            entries[f"{entry.context}\x04{entry.msgid}" if entry.context else entry.msgid] = entry
    return entries


def _extract(tmp_path: Path) -> dict[str, Entry]:
    """makemessages over a copy of the source, so the extraction sees exactly what the code says today."""
    copy = tmp_path / "nic1000"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ko", "--no-obsolete", "-v0"],
        cwd=copy,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "nic1000.settings", "PATH": "/usr/bin:/bin"},
    )
    return _parse(copy / "locale" / "ko" / "LC_MESSAGES" / "django.po")


def test_every_message_in_the_code_has_korean(tmp_path: Path) -> None:
    catalogue = _parse(PO)
    extracted = _extract(tmp_path)
    assert len(extracted) > 500  # the extraction really ran over the code
    missing = [m for m in extracted if not (m in catalogue and catalogue[m].translated)]
    assert not missing, f"{len(missing)} msgids without Korean (see `make messages`): {missing[:20]}"


def test_reader_sees_untranslated_and_fuzzy(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "가"\n\nmsgid "b"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "c"\nmsgstr "다"\n\nmsgid "d"\nmsgid_plural "ds"\nmsgstr[0] "라"\n',
        encoding="utf-8",
    )
    parsed = _parse(po)
    assert [m for m, e in parsed.items() if e.translated] == ["a", "d"]


def test_reader_keeps_contexts_apart(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Open"\nmsgstr "열기"\n\n'
        'msgctxt "support case state"\nmsgid "Open"\nmsgstr "접수"\n',
        encoding="utf-8",
    )
    parsed = _parse(po)
    assert parsed["Open"].strs == ["열기"]
    assert parsed["support case state\x04Open"].strs == ["접수"]


def test_compiled_catalogue_matches_the_po() -> None:
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        m
        for m, e in _parse(PO).items()
        if e.translated
        and not e.plural
        and (compiled.pgettext(e.context, e.msgid) if e.context else compiled.gettext(m)) != e.strs[0]
    ]
    assert not stale, f"django.mo is older than django.po (run `make messages`): {stale[:10]}"


def test_translations_keep_every_placeholder() -> None:
    bad = [
        m
        for m, e in _parse(PO).items()
        if e.translated
        for ph in set(re.findall(r"%\([a-z_0-9]+\)[sdf]", e.msgid))
        if any(ph not in s for s in e.strs)
    ]
    assert not bad, bad[:10]


def test_po_fill_keeps_contexts_apart(tmp_path: Path) -> None:
    """`make messages KO=file.json` fills a pgettext entry from "context\\u0004msgid" before the bare msgid."""
    sys.path.insert(0, str(SRC.parents[1] / "tools"))
    from po_fill import fill

    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Open"\nmsgstr ""\n\nmsgctxt "support case state"\nmsgid "Open"\nmsgstr ""\n',
        encoding="utf-8",
    )
    ko = tmp_path / "ko.json"
    ko.write_text('{"Open": "열기", "support case state\\u0004Open": "접수"}', encoding="utf-8")
    assert fill(po, [ko]) == (2, 0)
    parsed = _parse(po)
    assert parsed["Open"].strs == ["열기"] and parsed["support case state\x04Open"].strs == ["접수"]
