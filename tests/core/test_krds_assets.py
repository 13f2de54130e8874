"""Every file the KRDS stylesheets ask for is served (its icons were 404: selects without arrows, ticked check
boxes drawn as solid squares), and the project stylesheet keeps what KRDS hides or flattens visible."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from django.contrib.staticfiles import finders

STYLESHEETS = [
    "vendor/krds-uiux/resources/css/common/common.css",
    "vendor/krds-uiux/resources/css/component/component.css",
]


def test_every_url_in_the_krds_stylesheets_is_a_static_file() -> None:
    missing = []
    for sheet in STYLESHEETS:
        path = finders.find(sheet)
        assert path, sheet
        text = Path(str(path)).read_text(encoding="utf-8")
        for ref in set(re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", text)):
            if ref.startswith(("data:", "http:", "https:", "#")):
                continue
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(sheet), ref.split("?")[0].split("#")[0])
            )
            if not finders.find(target):
                missing.append(f"{sheet}: {ref}")
    assert not missing, missing[:10]


def test_captions_and_links_are_shown_as_such() -> None:
    css = Path(str(finders.find("nic1000/app.css"))).read_text(encoding="utf-8")
    caption = re.search(r"table caption \{(.*?)\}", css, re.S)
    assert caption and "position: static !important" in caption.group(1) and "clip: auto" in caption.group(1)
    assert re.search(r"\.nic-main a:not\(\[class\]\)[^{]*\{[^}]*text-decoration: underline", css)
