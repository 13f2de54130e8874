"""`nic1000 ews evaluate|train|use`: the early-warning model's command line (thin over the pure module).

* ``evaluate --data FILE --target COLUMN [--repeats N]``: repeated stratified 5-fold cross-validation of the
  product's pipeline on any ARFF/CSV distress data; prints each fold's AUC and, last, ``AUC mean=… sd=…``.
* ``train --data FILE --target COLUMN --out PATH``: refits the model and (unless ``--no-activate``) makes it the
  one inspections use; a model the inspections cannot use (other columns) is refused, the previous one kept.
* ``use PATH``: activate an existing model file (refused with a clear message if corrupt or mismatched).
* ``recalibrate [--estimate-base-rate]``: refit the programme calibration on recorded outcomes (or only estimate
  the programme's base rate); with too few outcomes it says how many there are and changes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nic1000.core.errors import ApplicationError

_LAST = re.compile(r"^AUC mean=\d\.\d{4} sd=\d\.\d{4}$")


class Command(BaseCommand):
    help = "Evaluate, retrain or switch the early-warning model"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="cross-validate the pipeline on a data set")
        ev.add_argument("--data", required=True)
        ev.add_argument("--target", required=True)
        ev.add_argument("--repeats", type=int, default=5)
        ev.add_argument("--threads", type=int, default=0, help="LightGBM threads (0 = all cores)")
        tr = sub.add_parser("train", help="refit the model that inspections use")
        tr.add_argument("--data", required=True)
        tr.add_argument("--target", required=True)
        tr.add_argument("--out", required=True)
        tr.add_argument("--no-activate", action="store_true", help="write the file only")
        tr.add_argument("--threads", type=int, default=0, help="LightGBM threads (0 = all cores)")
        use = sub.add_parser("use", help="make an existing model file the one inspections use")
        use.add_argument("path")
        rc = sub.add_parser("recalibrate", help="refit the programme calibration on recorded outcomes")
        rc.add_argument(
            "--estimate-base-rate", action="store_true", help="only estimate the base rate (prior correction)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from nic1000.algorithms import early_warning

        action = opts["action"]
        if action in ("evaluate", "train") and not Path(opts["data"]).is_file():
            raise CommandError(f"No such data file: {opts['data']}")
        try:
            if action == "evaluate":
                self._evaluate(early_warning, opts)
            elif action == "train":
                self._train(early_warning, opts)
            elif action == "recalibrate":
                self._recalibrate(opts)
            else:
                self._use(opts["path"])
        except early_warning.EarlyWarningError as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc

    def _evaluate(self, ew: Any, opts: dict[str, Any]) -> None:
        if opts["repeats"] < 1:
            raise CommandError("--repeats must be at least 1")
        lines: list[str] = []

        def out(line: str = "") -> None:
            lines.append(str(line))
            self.stdout.write(str(line))

        result = ew.run_evaluate(
            opts["data"], opts["target"], opts["repeats"], out=out, config=_config(ew, opts)
        )
        last = lines[-1].strip() if lines else ""
        if not _LAST.match(last):
            mean, sd = _mean_sd(result)
            if mean is None:
                raise CommandError("the evaluation returned no AUC")
            self.stdout.write(f"AUC mean={mean:.4f} sd={sd:.4f}")

    def _train(self, ew: Any, opts: dict[str, Any]) -> None:
        out_path = Path(opts["out"])
        out_path.parent.mkdir(parents=True, exist_ok=True)
        ew.run_train(
            opts["data"], opts["target"], str(out_path), config=_config(ew, opts), out=self.stdout.write
        )
        self.stdout.write(f"model written to {out_path}")
        if opts["no_activate"]:
            return
        self._use(str(out_path))

    def _use(self, path: str) -> None:
        from nic1000.monitoring.services.early_warning import model_activate

        if not Path(path).is_file():
            raise CommandError(f"No such model file: {path}")
        try:
            row = model_activate(path=path, acting_user=None, note="nic1000 ews")
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"inspections now use {row.path} (sha256 {row.sha256[:12]})")

    def _recalibrate(self, opts: dict[str, Any]) -> None:
        from nic1000.monitoring.services import risk

        if opts["estimate_base_rate"]:
            row = risk.risk_base_rate_estimate(acting_user=None, note="nic1000 ews recalibrate")
            self.stdout.write(
                f"programme base rate {row.base_rate:.4f} from {row.observations} observations"
                f" ({row.events} events); probabilities are moved there by prior correction"
            )
            return
        row = risk.risk_recalibrate(acting_user=None, note="nic1000 ews recalibrate")
        self.stdout.write(
            f"calibration refitted on {row.observations} observations ({row.events} events):"
            f" a={row.a:.4f} b={row.b:.4f}"
        )


def _config(ew: Any, opts: dict[str, Any]) -> Any:
    threads = int(opts.get("threads") or 0)
    return ew.EWSConfig(num_threads=threads) if threads else None


def _mean_sd(result: Any) -> tuple[float | None, float]:
    import numpy as np

    if result is None:
        return None, 0.0
    for a, b in (("mean", "sd"), ("auc_mean", "auc_sd"), ("mean_auc", "sd_auc")):
        if hasattr(result, a):
            return float(getattr(result, a)), float(getattr(result, b, 0.0))
        if isinstance(result, dict) and a in result:
            return float(result[a]), float(result.get(b, 0.0))
    try:
        aucs = np.asarray(list(result), dtype=float)
    except (TypeError, ValueError):
        return None, 0.0
    return float(aucs.mean()), float(aucs.std(ddof=1)) if len(aucs) > 1 else 0.0
