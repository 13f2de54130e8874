"""The test suite's settings: production's own, with a throwaway key and plain http.

The test client and the live server speak http, and nothing here is served. Subprocesses started by tests
inherit these variables; the production checks (tests/ops) start from a clean environment instead.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-key-" + "0123456789abcdef" * 4)
os.environ.setdefault("NIC1000_INSECURE_HTTP", "1")

from nic1000.settings import *  # noqa: F403

# Hashed static names need `collectstatic`; tests resolve static files from the sources.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# Finance documents go to a throwaway directory (tests that look at the files point it at their own tmp_path).
FINANCE_DOCUMENT_ROOT = Path(tempfile.mkdtemp(prefix="nic1000-finance-docs-"))
# Appeal documents and other uploads (nominations' evidence, call documents) written by tests: never var/.
APPEALS_FILES_DIR = Path(tempfile.gettempdir()) / "nic1000-test-appeals"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="nic1000-media-"))
