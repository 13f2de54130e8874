"""The inspections score with the shipped default model. When that file is not there yet (a fresh checkout
before `ews train`), a small model is trained once per session on the shipped Polish data and used instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def ews_default_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from nic1000.algorithms import early_warning as ew

    path = Path(ew.default_model_path())
    if path.is_file():
        try:
            ew.load_model(path)
            yield path
            return
        except ew.EarlyWarningError:
            pass
    out = tmp_path_factory.mktemp("ews") / "ews-small.json"
    X, y = ew.load_default_training_table()
    from nic1000.algorithms import ratios

    X = X[[c for c in ratios.RATIO_COLUMNS if c in X.columns]]
    config = ew.EWSConfig(members=2, fixed_rounds=30, num_leaves=15, num_threads=1)
    ew.save_model(ew.fit(X, y, config=config), out)
    mp = pytest.MonkeyPatch()
    mp.setattr(ew, "default_model_path", lambda: out)
    yield out
    mp.undo()
