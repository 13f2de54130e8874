"""Static files for production: hashed names (cached for ever by browsers) and precompressed copies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.staticfiles.finders import FileSystemFinder as BaseFileSystemFinder
from whitenoise.storage import CompressedManifestStaticFilesStorage

# The vendor packages' sources, type stubs and source maps: never served, so never collected.
VENDOR_IGNORE = [
    "*.d.ts",
    "*.map",
    "*.scss",
    "scss",
    "cdn",
    "ext",
    "*.cjs",
    "*.mjs",
    "*.esm.js",
    "*.amd.js",
    "*.gz",
]


class FileSystemFinder(BaseFileSystemFinder):
    """STATICFILES_DIRS, as collectstatic lists them, without VENDOR_IGNORE."""

    def list(self, ignore_patterns: Iterable[str] | None) -> Any:
        return super().list([*(ignore_patterns or []), *VENDOR_IGNORE])


class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """WhiteNoise's storage, tolerant of a vendor stylesheet naming a file its package does not ship (KRDS's
    component.css points at icons under a wrong path, served there by an extra STATICFILES_DIRS entry): such a
    reference is left as written instead of failing collectstatic."""

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
