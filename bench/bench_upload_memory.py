"""Peak memory of an upload: a 100,000-row companies import, and the refused ZIP bomb (issue 11, item 1).

Each case runs in its own fresh process (a new SQLite database in a temporary directory), so the process's
peak resident set size (`ru_maxrss`, which counts calamine's Rust allocations too, unlike tracemalloc) is the
case's own. Figures: RSS after Django started, peak RSS, their difference, and the seconds taken.

    .venv/bin/python -m bench.bench_upload_memory
    BENCH_UPLOAD_ROWS=20000 .venv/bin/python -m bench.bench_upload_memory    # smaller import

Measured (2 shared cores, SQLite): 100,000 companies (7.7 MB XLSX, 1.2 M cells) 45 s, RSS 84 MB at start and
848 MB at peak; the 800 MB bomb (5.7 MB) refused in 0.0 s with no growth (84 MB). An import's peak is about
85 MB + 0.65 KB per cell, bounded by IMPORT_MAX_CELLS.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_UPLOAD_ROWS", "100000"))
BOMB_UNPACKED = 800 * 1024 * 1024


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child(case: str, path: Path) -> dict[str, object]:
    from bench._django import setup_database

    setup_database(None, name=f"upload_{case}")
    from nic1000.registry.importing import registry_import_file

    before = _rss_mb()
    started = time.perf_counter()
    report = registry_import_file(kind="companies", file=path, filename=path.name, acting_user=None)
    return {
        "case": case,
        "file_mb": path.stat().st_size / 1e6,
        "rows": report.rows,
        "created": report.created,
        "refused": [p.message_en for p in report.problems[:1]],
        "seconds": time.perf_counter() - started,
        "rss_before_mb": before,
        "rss_peak_mb": _rss_mb(),
    }


def _run(case: str, path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_upload_memory", "--child", case, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "core"))
    from xlsx_bomb import xlsx_bomb

    from bench.bench_import import write_companies

    tmp = Path(tempfile.mkdtemp(prefix="nic1000-bench-upload-"))
    companies = tmp / "companies.xlsx"
    bomb = tmp / "bomb.xlsx"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nic1000.settings")
    import django

    django.setup()
    write_companies(companies, ROWS)
    bomb.write_bytes(xlsx_bomb(BOMB_UNPACKED))
    print(
        f"{'case':<10} {'file MB':>8} {'rows':>8} {'s':>7} {'RSS start MB':>13} {'RSS peak MB':>12} {'peak-start':>11}"
    )
    for case, path in (("import", companies), ("bomb", bomb)):
        r = _run(case, path)
        start, peak = float(r["rss_before_mb"]), float(r["rss_peak_mb"])  # type: ignore[arg-type]
        print(
            f"{case:<10} {float(r['file_mb']):>8.1f} {r['rows']!s:>8} {float(r['seconds']):>7.1f} "  # type: ignore[arg-type]
            f"{start:>13.0f} {peak:>12.0f} {peak - start:>11.0f}"
        )
        if r["refused"]:
            print(f"           refused: {r['refused'][0]}")  # type: ignore[index]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2], Path(sys.argv[3]))))
    else:
        main()
