"""Text of our PDFs, read from the bytes WeasyPrint wrote (no PDF library is installed): each page's content
stream, its fonts' ToUnicode maps, one text run per position set (Tm/Td) or text object (BT … ET). Enough for WeasyPrint's output: Type0 fonts
with Identity-H (two-byte codes) and hex strings in TJ arrays; literal strings are read too."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nic1000.reports.pdfread import objects, page_numbers

_REF = rb"(\d+) 0 R"


def _cmap(data: bytes) -> dict[bytes, str]:
    out: dict[bytes, str] = {}
    text = data.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[bytes.fromhex(src)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start, end, base = int(lo, 16), int(hi, 16), int(dst, 16)
            width = len(lo) // 2
            for k in range(end - start + 1):
                out[(start + k).to_bytes(width, "big")] = chr(base + k)
    return out


@dataclass
class PdfText:
    pages: list[list[str]]  # per page, its text runs
    fonts: list[str]  # the embedded fonts' names (BaseFont)

    @property
    def text(self) -> str:
        return "\n".join("\n".join(p) for p in self.pages)

    @property
    def page_count(self) -> int:
        return len(self.pages)


def _dict_entry(found: dict[int, tuple[bytes, bytes | None]], head: bytes, key: bytes) -> bytes:
    """The value of /key in a dictionary: inline << … >> or the referenced object's dictionary."""
    ref = re.search(rb"/" + key + rb"\s+" + _REF, head)
    if ref:
        return found[int(ref.group(1))][0]
    inline = re.search(rb"/" + key + rb"\s*(<<.*?>>)", head, re.S)
    return inline.group(1) if inline else b""


def _fonts(found: dict[int, tuple[bytes, bytes | None]], page: bytes) -> dict[str, dict[bytes, str]]:
    resources = _dict_entry(found, page, b"Resources")
    fonts = _dict_entry(found, resources, b"Font")
    out: dict[str, dict[bytes, str]] = {}
    for name, number in re.findall(rb"/([^\s/<>\[\]]+)\s+" + _REF, fonts):
        head = found[int(number)][0]
        to_unicode = re.search(rb"/ToUnicode\s+" + _REF, head)
        data = found[int(to_unicode.group(1))][1] if to_unicode else None
        out[name.decode()] = _cmap(data or b"")
    return out


_TOKENS = re.compile(rb"<([0-9a-fA-F\s]*)>|\((?:\\.|[^\\)])*\)|/([^\s/<>\[\]()]+)|([A-Za-z*'\"]+)|(-?[\d.]+)")


def _decode(code: bytes, cmap: dict[bytes, str]) -> str:
    if not cmap:
        return code.decode("latin-1")
    width = len(next(iter(cmap)))
    return "".join(cmap.get(code[i : i + width], "\ufffd") for i in range(0, len(code), width))


def _runs(content: bytes, fonts: dict[str, dict[bytes, str]]) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    font: dict[bytes, str] = {}
    last_name = ""
    for m in _TOKENS.finditer(content):
        hexstr, name, op, _num = m.group(1), m.group(2), m.group(3), m.group(4)
        if hexstr is not None:
            current.append(_decode(bytes.fromhex(hexstr.decode().replace(" ", "").replace("\n", "")), font))
        elif m.group(0).startswith(b"("):
            raw = m.group(0)[1:-1]
            current.append(_decode(re.sub(rb"\\(.)", rb"\1", raw), font))
        elif name is not None:
            last_name = name.decode()
        elif op == b"Tf":
            font = fonts.get(last_name, {})
        elif op in (b"ET", b"Tm", b"Td", b"TD", b"T*"):  # a new position: a new run (a table's next cell)
            if current:
                runs.append("".join(current))
            current = []
    return runs


def pdf_text(pdf: bytes) -> PdfText:
    found = objects(pdf)
    pages = []
    for number in page_numbers(found):
        head = found[number][0]
        fonts = _fonts(found, head)
        contents = re.search(rb"/Contents\s+" + _REF, head)
        data = found[int(contents.group(1))][1] if contents else b""
        pages.append(_runs(data or b"", fonts))
    names = [
        m.decode()
        for head, _d in found.values()
        for m in re.findall(rb"/Type /Font/Subtype /Type0/BaseFont /(\S+?)/", head)
    ]
    return PdfText(pages=pages, fonts=names)
