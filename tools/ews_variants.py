"""Compare early-warning variants cheaply on the exact splits of `nic1000 ews evaluate` (a research tool).

    python tools/ews_variants.py run NAME '{"extra_trees": true}' [--data FILE --target COL --repeats N]
    python tools/ews_variants.py combine NAME [NAME ...]

`run` fits one LightGBM variant the way the pipeline does (joint early stopping over inner folds, refit on the
whole training fold) on each outer fold of the repeated stratified 5-fold (seed 2024, as the command) and keeps
its raw test scores in var/ews-variants/NAME.npz. The pipeline's ensemble score is the mean of its variants' raw
scores, so `combine` gives the cross-validated AUC of any set of variants without refitting. Results of the
session-3 search are in docs/ews-experiments.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from nic1000.algorithms import early_warning as E

OUT = Path("var/ews-variants")


def _splits(M: np.ndarray, y: np.ndarray, repeats: int) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=2024).split(M, y))


def _fold(M, y, tr, te, names, seed, cfg):  # type: ignore[no-untyped-def]
    # The pipeline's own training step (one variant), so the tool cannot drift from what `ews evaluate` fits.
    boosters, _oof, _cal, use_missing, rounds = E._fit_matrix(M[tr], y[tr], names, cfg, seed)
    return boosters[0].predict(E._add_engineered(M[te], use_missing), raw_score=True), rounds[0]


def run(name: str, overrides: dict, data: str, target: str, repeats: int, config: dict) -> None:
    X, y = E.load_table(data, target)
    M, y, names = E._as_xy(X, y)
    cfg = E.EWSConfig(num_threads=1, variants=(tuple(overrides.items()),), **config)
    splits = _splits(M, y, repeats)
    t0 = time.perf_counter()
    res = Parallel(n_jobs=-1)(
        delayed(_fold)(M, y, tr, te, names, 2024 + i + 1, cfg) for i, (tr, te) in enumerate(splits)
    )
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez(OUT / f"{name}.npz", *[r[0] for r in res], rounds=np.array([r[1] for r in res]))
    aucs = [roc_auc_score(y[te], r[0]) for (_tr, te), r in zip(splits, res, strict=True)]
    print(
        f"{name} {json.dumps(overrides)} AUC mean={np.mean(aucs):.4f} "
        f"median trees={int(np.median([r[1] for r in res]))} {time.perf_counter() - t0:.0f}s"
    )


def combine(names: list[str], data: str, target: str, repeats: int) -> None:
    X, y = E.load_table(data, target)
    M, y, _names = E._as_xy(X, y)
    stored = [np.load(OUT / f"{n}.npz") for n in names]
    aucs = [
        roc_auc_score(y[te], np.mean([s[f"arr_{i}"] for s in stored], axis=0))
        for i, (_tr, te) in enumerate(_splits(M, y, repeats))
    ]
    print(f"{' + '.join(names)}: AUC mean={np.mean(aucs):.4f} sd={np.std(aucs, ddof=1):.4f}")


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["run", "combine"])
    p.add_argument("args", nargs="+")
    p.add_argument("--data", default=str(E.default_data_path()))
    p.add_argument("--target", default="class")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--config", default="{}", help='EWSConfig overrides, e.g. {"early_stopping": 300}')
    a = p.parse_args(argv)
    if a.command == "run":
        run(
            a.args[0],
            json.loads(a.args[1]) if len(a.args) > 1 else {},
            a.data,
            a.target,
            a.repeats,
            json.loads(a.config),
        )
    else:
        combine(a.args, a.data, a.target, a.repeats)


if __name__ == "__main__":
    main(sys.argv[1:])
