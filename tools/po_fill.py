"""Check the Korean .po file (the one source of Korean) and fill new entries from JSON files.

Run by `make messages` after makemessages. A change that adds user-visible text may bring its Korean as a JSON
object {English msgid: Korean} (e.g. written by a translator); those fill untranslated or fuzzy entries, and
entries already translated in the .po are kept. Exits 1 while any msgid has no Korean.
Usage: python tools/po_fill.py src/nic1000/locale/ko/LC_MESSAGES/django.po [new-translations.json ...]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def load_dictionaries(paths: list[Path]) -> dict[str, str]:
    ko: dict[str, str] = {}
    for path in paths:
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            ko.setdefault(key, value)
    return ko


def _unquote(lines: list[str]) -> str:
    out = []
    for line in lines:
        m = re.match(r'^(?:msgid|msgstr|msgid_plural|msgstr\[\d+\])?\s*"(.*)"$', line)
        if m:
            out.append(m.group(1))
    return "".join(out).encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(po_path: Path, sources: list[Path]) -> tuple[int, int]:
    ko = load_dictionaries(sources)
    blocks = po_path.read_text(encoding="utf-8").split("\n\n")
    filled = missing = 0
    out_blocks = []
    for block in blocks:
        lines = block.split("\n")
        idx = {
            k: i
            for i, line in enumerate(lines)
            for k in ("msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")
            if line.startswith(k)
        }
        if "msgid " not in idx or block.startswith('msgid ""\nmsgstr ""'):
            out_blocks.append(block)
            continue
        end_id = idx.get("msgid_plural ", idx.get("msgstr ", idx.get("msgstr[0] ")))
        msgid = _unquote(lines[idx["msgid "] : end_id])
        plural = "msgid_plural " in idx
        str_key = "msgstr[0] " if plural else "msgstr "
        # msgstr[0] may continue on the following quoted lines, up to msgstr[1].
        end_str = next(
            (i for i in range(idx[str_key] + 1, len(lines)) if lines[i].startswith("msgstr[")), None
        )
        current = _unquote(lines[idx[str_key] : end_str])
        # makemessages marks a guess from a similar old msgid "fuzzy" (Django ignores it): the JSON's
        # translation replaces the guess; without one the entry counts as missing.
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if current.strip() and not fuzzy:
            out_blocks.append(block)
            continue
        # An entry with a context (pgettext) takes "context\u0004msgid" from the JSON first, then the msgid.
        ctx_line = next((i for i, line in enumerate(lines) if line.startswith("msgctxt ")), None)
        ctx = _unquote([lines[ctx_line].replace("msgctxt ", "", 1)]) if ctx_line is not None else ""
        translation = ko.get(f"{ctx}\x04{msgid}", ko.get(msgid)) if ctx else ko.get(msgid)
        if translation is None:
            missing += 1
            out_blocks.append(block)
            continue
        head = []
        for line in lines[: idx[str_key]]:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if not flags:
                    continue
                line = "#, " + ", ".join(flags)
            head.append(line)
        if plural:
            head.append(f"msgstr[0] {_quote(translation)}")
        else:
            head.append(f"msgstr {_quote(translation)}")
        filled += 1
        out_blocks.append("\n".join(head))
    po_path.write_text("\n\n".join(out_blocks), encoding="utf-8")
    return filled, missing


if __name__ == "__main__":
    filled, missing = fill(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])
    print(f"filled {filled} translations; {missing} msgids have no Korean yet")
    sys.exit(1 if missing else 0)
