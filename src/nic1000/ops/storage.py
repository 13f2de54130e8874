"""Static files for production: hashed names (cached for ever by browsers) and precompressed copies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """WhiteNoise's storage, tolerant of a vendor stylesheet naming a file its package does not ship (KRDS's
    component.css points at icons under a wrong path): such a reference is left as written, instead of
    failing collectstatic; the browser gets a 404 for it exactly as it does today."""

    def url_converter(
        self, name: str, hashed_files: dict[str, str], template: str | None = None
    ) -> Callable[..., str]:
        convert: Callable[..., str] = super().url_converter(name, hashed_files, template)

        def tolerant(matchobj: Any) -> str:
            try:
                return convert(matchobj)
            except ValueError:
                return str(matchobj.group(0))

        return tolerant
