"""`nic1000 ews` and `nic1000 inspect`, and refusing bad model files."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from nic1000.core.errors import ValidationFailed
from nic1000.monitoring.models import EarlyWarningModel
from nic1000.monitoring.services.early_warning import model_activate, model_in_use


def synthetic_csv(
    path: Path, *, n: int = 240, one_class: bool = False, columns: list[str] | None = None
) -> Path:
    rng = np.random.default_rng(7)
    cols = columns or ["a", "b", "c", "d"]
    X = rng.normal(size=(n, len(cols)))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.7, size=n) > 1.0).astype(int)
    if one_class:
        y[:] = 0
    df = pd.DataFrame(X, columns=cols)
    df["bankrupt"] = y
    df.to_csv(path, index=False)
    return path


def test_evaluate_prints_fold_aucs_and_the_last_line(tmp_path) -> None:
    out = StringIO()
    call_command("ews", "evaluate", "--data", str(synthetic_csv(tmp_path / "d.csv")), "--target", "bankrupt",
                 "--repeats", "1", "--threads", "1", stdout=out)  # fmt: skip
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert re.fullmatch(r"AUC mean=0\.\d{4} sd=0\.\d{4}", lines[-1]), lines[-3:]
    assert len(lines) >= 6  # five folds and the summary


def test_evaluate_refuses_missing_target_and_one_class(tmp_path) -> None:
    data = synthetic_csv(tmp_path / "d.csv")
    with pytest.raises(CommandError, match=r"(?i)target|column|nope"):
        call_command(
            "ews",
            "evaluate",
            "--data",
            str(data),
            "--target",
            "nope",
            "--repeats",
            "1",
            "--threads",
            "1",
            stdout=StringIO(),
        )
    one = synthetic_csv(tmp_path / "one.csv", one_class=True)
    with pytest.raises(CommandError, match=r"(?i)class"):
        call_command(
            "ews",
            "evaluate",
            "--data",
            str(one),
            "--target",
            "bankrupt",
            "--repeats",
            "1",
            "--threads",
            "1",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError):
        call_command(
            "ews", "evaluate", "--data", str(tmp_path / "absent.csv"), "--target", "x", stdout=StringIO()
        )


@pytest.mark.django_db
def test_corrupt_or_mismatched_model_is_refused_and_the_previous_kept(tmp_path, personas) -> None:
    from nic1000.algorithms import early_warning

    good = model_activate(path=early_warning.default_model_path(), acting_user=personas.program_office)
    corrupt = tmp_path / "corrupt.txt"
    corrupt.write_bytes(b"this is not a model \x00\x01")
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        model_activate(path=corrupt, acting_user=personas.program_office)
    assert exc.value.code == "model_refused" and "previous model" in str(exc.value)
    # A model trained on other columns.
    other = tmp_path / "other.model"
    early_warning.run_train(
        str(synthetic_csv(tmp_path / "o.csv")),
        "bankrupt",
        str(other),
        cv_repeats=0,
        config=early_warning.EWSConfig(members=2, fixed_rounds=10, num_threads=1),
        out=lambda _line: None,
    )
    with pytest.raises(ValidationFailed):
        model_activate(path=other, acting_user=personas.program_office)
    assert EarlyWarningModel.objects.get(active=True).pk == good.pk
    assert model_in_use().sha256 == good.sha256
    with translation.override("en"), pytest.raises(CommandError, match="refused"):
        call_command("ews", "use", str(corrupt), stdout=StringIO())
    assert EarlyWarningModel.objects.get(active=True).pk == good.pk


@pytest.mark.django_db
def test_inspect_command(reference_data) -> None:
    from tests.monitoring.factories import member, statements

    m = member()
    statements(m.company, [2024, 2025])
    out = StringIO()
    call_command("inspect", "--period", "2026-05", stdout=out)
    assert "done, 1 companies" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("inspect", "--period", "26-5", stdout=StringIO())
