"""Fill the Korean .po file from every app's `locale_ko.py` (KO dict: English msgid -> Korean).

Run by `make messages` after makemessages; entries already translated in the .po are kept.
Usage: python tools/po_fill.py src/nic1000/locale/ko/LC_MESSAGES/django.po
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_dictionaries() -> dict[str, str]:
    ko: dict[str, str] = {}
    sys.path.insert(0, str(ROOT / "src"))
    for path in sorted((ROOT / "src" / "nic1000").glob("*/locale_ko.py")):
        module = importlib.import_module(f"nic1000.{path.parent.name}.locale_ko")
        for key, value in getattr(module, "KO", {}).items():
            if isinstance(key, tuple):  # (singular, plural)
                key = key[0]
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


def fill(po_path: Path) -> tuple[int, int]:
    ko = load_dictionaries()
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
        current = _unquote(lines[idx[str_key] :]) if not plural else _unquote([lines[idx[str_key]]])
        # makemessages marks a guess from a similar old msgid "fuzzy" (Django ignores it): the dictionary's
        # translation replaces the guess; without one the entry counts as missing.
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if current.strip() and not fuzzy:
            out_blocks.append(block)
            continue
        translation = ko.get(msgid)
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
    filled, missing = fill(Path(sys.argv[1]))
    print(f"filled {filled} translations; {missing} msgids have no Korean yet")
