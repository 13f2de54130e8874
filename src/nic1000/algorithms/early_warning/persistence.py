"""One JSON file per model (gzip-compressed if named ``*.gz``), written atomically; loading refuses a
corrupt file or one trained on other columns, so the caller can keep its previous model."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from nic1000.algorithms.early_warning.calibration import apply_calibrator
from nic1000.algorithms.early_warning.errors import EarlyWarningError
from nic1000.algorithms.early_warning.model import EarlyWarningModel

MODEL_FORMAT = "nic1000-ews/1"


def save_model(model: EarlyWarningModel, path: str | os.PathLike[str]) -> None:
    """Write the model to one JSON file (gzip-compressed when the name ends in ``.gz``), atomically."""
    p = Path(path)
    payload = {
        "format": MODEL_FORMAT,
        "feature_names": model.feature_names,
        "missing_count": model.missing_count,
        "calibrator": model.calibrator,
        "calibrate": model.calibrate,
        "metadata": _jsonable(model.metadata),
        "boosters": [b.model_to_string() for b in model.boosters],
    }
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if p.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)
    tmp.write_bytes(data)
    tmp.replace(p)


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def load_model(
    path: str | os.PathLike[str], expected_features: Sequence[str] | None = None
) -> EarlyWarningModel:
    """Load a model written by :func:`save_model`.

    Raises :class:`EarlyWarningError` if the file is missing, corrupt, of another format, or (when
    ``expected_features`` is given) if the model was trained on other columns than expected; the caller can
    then keep its previous model.
    """
    p = Path(path)
    if not p.is_file():
        raise EarlyWarningError(f"model file not found: {p}")
    model = _model_from_payload(_read_payload(p), p)
    if expected_features is not None and list(expected_features) != model.feature_names:
        raise EarlyWarningError(
            f"model file {p} was trained on other columns than expected "
            f"({_column_difference(model.feature_names, list(expected_features))})"
        )
    return model


def _read_payload(p: Path) -> dict[str, Any]:
    """The file's JSON object (gunzipped if need be), refused unless it is of :data:`MODEL_FORMAT`."""
    try:
        data = p.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        payload = json.loads(data.decode("utf-8"))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EarlyWarningError(f"model file {p} is corrupt or unreadable: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise EarlyWarningError(f"model file {p} is not an early-warning model ({MODEL_FORMAT})")
    return payload


def _model_from_payload(payload: dict[str, Any], p: Path) -> EarlyWarningModel:
    """The model of a payload, each part checked (a calibrator that cannot map, boosters of another width)."""
    try:
        names = [str(n) for n in payload["feature_names"]]
        missing_count = bool(payload["missing_count"])
        cal = dict(payload["calibrator"])
        apply_calibrator(cal, np.zeros(1))
        calibrate = str(payload.get("calibrate", "members"))  # files without the key: the earlier bag
        if calibrate not in ("mean", "members"):
            raise ValueError(f"unknown calibrate mode {calibrate!r}")
        boosters = [lgb.Booster(model_str=s) for s in payload["boosters"]]
        metadata = dict(payload.get("metadata") or {})
    except (KeyError, TypeError, ValueError, lgb.basic.LightGBMError) as exc:
        raise EarlyWarningError(f"model file {p} is corrupt: {exc}") from exc
    if not boosters:
        raise EarlyWarningError(f"model file {p} holds no boosters")
    n_model = len(names) + (1 if missing_count else 0)
    for b in boosters:
        if b.num_feature() != n_model:
            raise EarlyWarningError(f"model file {p} is corrupt: booster expects {b.num_feature()} features")
    return EarlyWarningModel(
        feature_names=names,
        boosters=boosters,
        calibrator=cal,
        missing_count=missing_count,
        metadata=metadata,
        calibrate=calibrate,
    )


def _column_difference(names: list[str], expected: list[str]) -> str:
    """What differs between the model's columns and the expected ones, in words."""
    extra = [c for c in names if c not in expected]
    lacking = [c for c in expected if c not in names]
    detail = []
    if lacking:
        detail.append(f"missing {lacking[:10]}")
    if extra:
        detail.append(f"unexpected {extra[:10]}")
    if not detail:
        detail.append("same columns in another order")
    return "; ".join(detail)
