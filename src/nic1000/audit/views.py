from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from nic1000.audit.models import AuditEntry
from nic1000.audit.selectors import AUDIT_SORT, audit_entry_list, audit_filter_choices
from nic1000.audit.verification import chain_verify, last_verifications
from nic1000.core.access import role_required
from nic1000.core.listing import local_naive, rows_of, wants_xlsx, xlsx_response
from nic1000.core.pagination import paginate
from nic1000.core.roles import OFFICE_AND_AUDIT
from nic1000.core.sorting import sort_from

INPUT = {"class": "krds-input"}
# An export larger than this is refused (narrow the filters): one sheet, built in memory.
EXPORT_MAX_ROWS = 100_000


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=gettext_lazy("Who"), required=False, max_length=100, widget=forms.TextInput(INPUT)
    )
    action = forms.CharField(
        label=gettext_lazy("Action"), required=False, max_length=100, widget=forms.TextInput(INPUT)
    )
    object_type = forms.ChoiceField(
        label=gettext_lazy("Kind of object"),
        required=False,
        widget=forms.Select(attrs={"class": "krds-form-select"}),
    )
    object_id = forms.CharField(
        label=gettext_lazy("Object number"), required=False, max_length=64, widget=forms.TextInput(INPUT)
    )
    since = forms.DateField(
        label=gettext_lazy("Since"), required=False, widget=forms.DateInput(attrs={"type": "date", **INPUT})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date", **INPUT})
    )

    def __init__(self, *args: Any, object_types: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "—"), *((t, t) for t in object_types)]  # type: ignore[attr-defined]


def _audit_xlsx(qs: Any) -> HttpResponse:
    header = [_("Number"), _("When"), _("Who"), _("Action"), _("Kind of object"), _("Object number"), _("Object"),
              _("Changes"), _("Reason")]  # fmt: skip

    def row(e: AuditEntry) -> Sequence[object]:
        return [e.seq, local_naive(e.at), e.actor_label, e.action, e.object_type, e.object_id, e.object_repr,
                str(e.changes), e.reason]  # fmt: skip

    return xlsx_response(name="audit", header=header, rows=rows_of(qs, row))


@role_required(OFFICE_AND_AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    choices = audit_filter_choices()
    form = AuditFilterForm(request.GET or None, object_types=choices["object_types"])
    filters = form.cleaned_data if form.is_valid() else {}
    sort = sort_from(request.GET, AUDIT_SORT)
    qs = sort.apply(audit_entry_list(**{k: v for k, v in filters.items() if v}))
    if wants_xlsx(request):
        n = qs.count()
        if n <= EXPORT_MAX_ROWS:
            return _audit_xlsx(qs)
        messages.error(
            request,
            _("%(n)s entries match these filters; an export holds at most %(max)s. Narrow the filters (dates, "
              "action) and export again.") % {"n": f"{n:,}", "max": f"{EXPORT_MAX_ROWS:,}"},
        )  # fmt: skip
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    page = paginate(qs, request.GET.get("page"), 50)
    context = {"form": form, "page_obj": page, "sort": sort}
    return render(request, "audit/list.html", context)


@role_required(OFFICE_AND_AUDIT)
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The chain's verification: the last runs, and a button that runs it now (POST)."""
    if request.method == "POST":
        user = request.user
        assert user.is_authenticated  # role_required lets only signed-in users through
        run = chain_verify(acting_user=user)
        if run.ok:
            messages.success(
                request, _("The audit chain is intact: %(n)s rows checked.") % {"n": f"{run.rows_checked:,}"}
            )
        else:
            messages.error(
                request,
                _("The audit chain is broken: the first bad row is %(seq)s.") % {"seq": run.first_bad_seq},
            )
        return redirect("audit:verify")
    return render(request, "audit/verify.html", {"runs": last_verifications()})
