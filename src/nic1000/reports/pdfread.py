"""Just enough PDF reading for our own documents (WeasyPrint's output): the objects, including those packed in
object streams, with their streams inflated; and the page count. Pure (zlib and re only). Tests build their
text extraction on `objects`."""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream\s*$", re.S)
_LENGTH = re.compile(rb"/Length (\d+)(?! \d+ R)")


def _split(body: bytes) -> tuple[bytes, bytes | None]:
    """An object's dictionary and its (inflated) stream, if it has one."""
    match = _STREAM.match(body)
    if match is None:
        return body.strip(), None
    head, data = match.group(1), match.group(2)
    length = _LENGTH.search(head)
    if length is not None:
        data = data[: int(length.group(1))]
    if b"/FlateDecode" in head:
        data = zlib.decompress(data)
    return head.strip(), data


def objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary or value, inflated stream or None), object streams unpacked."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJ.finditer(pdf):
        found[int(match.group(1))] = _split(match.group(2))
    for head, data in list(found.values()):
        if data is None or b"/ObjStm" not in head:
            continue
        n = int(re.search(rb"/N (\d+)", head).group(1))  # type: ignore[union-attr]
        first = int(re.search(rb"/First (\d+)", head).group(1))  # type: ignore[union-attr]
        numbers = [int(x) for x in data[:first].split()]
        pairs = [(numbers[2 * i], numbers[2 * i + 1]) for i in range(n)]
        for i, (number, offset) in enumerate(pairs):
            end = pairs[i + 1][1] if i + 1 < n else len(data) - first
            found.setdefault(number, (data[first + offset : first + end].strip(), None))
    return found


def page_numbers(found: dict[int, tuple[bytes, bytes | None]]) -> list[int]:
    """The page objects' numbers, in the order of the page tree."""
    kids: dict[int, list[int]] = {}
    root = None
    for number, (head, _data) in found.items():
        if re.search(rb"/Type\s*/Pages\b", head):
            refs = re.search(rb"/Kids\s*\[([^\]]*)\]", head)
            kids[number] = [int(x) for x in re.findall(rb"(\d+) 0 R", refs.group(1))] if refs else []
            if not re.search(rb"/Parent\s+\d+ 0 R", head):
                root = number
    if root is None:
        return []
    out: list[int] = []

    def walk(node: int) -> None:
        for kid in kids.get(node, []):
            if kid in kids:
                walk(kid)
            else:
                out.append(kid)

    walk(root)
    return out


def pdf_page_count(pdf: bytes) -> int:
    return len(page_numbers(objects(pdf)))
