"""The early-warning model that inspections use: the one activated last, else the shipped default."""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record
from nic1000.core.errors import Conflict, ErrorDetail, ValidationFailed
from nic1000.monitoring import engine
from nic1000.monitoring.models import EarlyWarningModel

log = logging.getLogger(__name__)


def model_in_use() -> engine.LoadedModel:
    """The active model (the last one accepted), or the shipped default when none was activated."""
    from nic1000.algorithms import early_warning

    row = EarlyWarningModel.objects.filter(active=True).first()
    if row is not None:
        try:
            return engine.load_checked(row.path)
        except Exception as exc:  # the file changed on disk since it was accepted
            log.error("active early-warning model %s no longer loads (%s); using the default", row.path, exc)
    return engine.load_checked(early_warning.default_model_path())


def _refused(exc: Exception, path: str) -> ValidationFailed:
    return ValidationFailed(
        _("The model file %(path)s was refused: %(problem)s. The previous model stays in use.")
        % {"path": path, "problem": exc},
        [ErrorDetail(message=str(exc), field="path", value=path)],
        code="model_refused",
    )


@transaction.atomic
def model_activate(*, path: str | Path, acting_user: User | None, note: str = "") -> EarlyWarningModel:
    """Make the model at `path` the one inspections use. A corrupt file or one trained on other columns is
    refused with a clear `ValidationFailed` (code model_refused) and the previous model stays active."""
    path = str(Path(path).resolve())
    try:
        loaded = engine.load_checked(path)
    except Exception as exc:
        raise _refused(exc, path) from exc
    before = EarlyWarningModel.objects.select_for_update().filter(active=True).first()
    if before is not None and before.sha256 == loaded.sha256 and before.path == path:
        return before
    EarlyWarningModel.objects.filter(active=True).update(active=False)
    row = EarlyWarningModel.objects.create(
        path=path,
        sha256=loaded.sha256,
        features=loaded.features,
        active=True,
        activated_at=timezone.now(),
        activated_by=acting_user,
        note=note[:300],
    )
    audit_record(
        actor=acting_user,
        action="ews_model.activate",
        obj=row,
        changes={
            "path": {"before": before.path if before else None, "after": path},
            "sha256": {"before": before.sha256 if before else None, "after": loaded.sha256},
        },
        reason=note,
    )
    return row


def model_for_inspection() -> engine.LoadedModel:
    """The model in use, or a Conflict (code no_model) that stops the inspection with a clear reason."""
    try:
        return model_in_use()
    except Exception as exc:
        raise Conflict(
            _("No usable early-warning model: %(problem)s") % {"problem": exc}, code="no_model"
        ) from exc
