"""A company representative's pages for its own record: the profile, patents and core technologies.

Thin: the company is the user's own (another company's number is not found), the form parses, one service of
`registry.profile` writes (audited, the nominating body's officers told); problems re-render the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nic1000.accounts.models import User
from nic1000.core.access import role_required
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError
from nic1000.core.roles import Role
from nic1000.registry import profile
from nic1000.registry.models import Company, CoreTechnology, Patent
from nic1000.registry.profile_forms import CompanyProfileForm, PatentForm, TechnologyForm, _SpecForm

REP = frozenset({Role.COMPANY})


def _own(request: HttpRequest, pk: int) -> tuple[User, Company]:
    """The signed-in representative and its company; another company's number is not found."""
    user = request.user
    if not isinstance(user, User) or user.company_id != pk:
        raise Http404
    return user, Company.objects.select_related("ksic").get(pk=pk)


def _errors(form: _SpecForm, exc: ApplicationError) -> None:
    placed = False
    for d in exc.details:
        name = "ksic" if d.field == "ksic_id" else d.field
        if name and name in form.fields:
            form.add_error(name, str(d.message))
            placed = True
    if not placed:
        form.add_error(None, str(exc))


def _detail(company: Company) -> str:
    return reverse("registry:company_detail", kwargs={"pk": company.pk})


def _form_page(request: HttpRequest, form: _SpecForm, company: Company, title: str) -> HttpResponse:
    ctx: dict[str, Any] = {"form": form, "company": company, "title": title, "cancel_url": _detail(company)}
    status = 422 if request.method == "POST" else 200
    return render(request, "registry/profile_form.html", ctx, status=status)


@role_required(REP)
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = _own(request, pk)
    form = CompanyProfileForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        try:
            profile.company_profile_update(company=company, acting_user=user, **form.values())
        except ApplicationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The company profile was saved; the nominating ministry was told."))
            return redirect(_detail(company))
    return _form_page(request, form, company, _("Edit the company profile"))


def _patent(company: Company, item: int) -> Patent:
    patent = Patent.objects.filter(pk=item, company=company).first()
    if patent is None:
        raise Http404
    return patent


def _technology(company: Company, item: int) -> CoreTechnology:
    technology = CoreTechnology.objects.filter(pk=item, company=company).first()
    if technology is None:
        raise Http404
    return technology


def _patent_form(request: HttpRequest, pk: int, item: int | None) -> HttpResponse:
    user, company = _own(request, pk)
    patent = _patent(company, item) if item is not None else None
    form = PatentForm(request.POST or None, instance=patent)
    if request.method == "POST" and form.is_valid():
        try:
            profile.patent_save(company=company, acting_user=user, values=form.values(), patent=patent)
        except ApplicationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The patent was saved; the nominating ministry was told."))
            return redirect(_detail(company))
    return _form_page(request, form, company, _("Add a patent") if patent is None else _("Edit the patent"))


@role_required(REP)
@require_http_methods(["GET", "POST"])
def patent_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _patent_form(request, pk, None)


@role_required(REP)
@require_http_methods(["GET", "POST"])
def patent_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _patent_form(request, pk, item)


@role_required(REP)
@require_POST
def patent_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user, company = _own(request, pk)
    patent = _patent(company, item)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remove the patent %(number)s?") % {"number": patent.application_number},
                consequences=[
                    _("The patent “%(title)s” leaves your company's record.") % {"title": patent.title},
                    _("The audit trail keeps what it held; the nominating ministry is told."),
                ],
                action=request.path,
                button=_("Remove"),
                cancel_url=_detail(company),
            ),
        )
    profile.patent_remove(company=company, acting_user=user, patent=patent)
    messages.success(request, _("The patent %(number)s was removed.") % {"number": patent.application_number})
    return redirect(_detail(company))


def _technology_form(request: HttpRequest, pk: int, item: int | None) -> HttpResponse:
    user, company = _own(request, pk)
    technology = _technology(company, item) if item is not None else None
    form = TechnologyForm(request.POST or None, instance=technology)
    if request.method == "POST" and form.is_valid():
        try:
            profile.technology_save(
                company=company, acting_user=user, values=form.values(), technology=technology
            )
        except ApplicationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The technology was saved; the nominating ministry was told."))
            return redirect(_detail(company))
    title = _("Add a core technology") if technology is None else _("Edit the core technology")
    return _form_page(request, form, company, title)


@role_required(REP)
@require_http_methods(["GET", "POST"])
def technology_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _technology_form(request, pk, None)


@role_required(REP)
@require_http_methods(["GET", "POST"])
def technology_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    return _technology_form(request, pk, item)


@role_required(REP)
@require_POST
def technology_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user, company = _own(request, pk)
    technology = _technology(company, item)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            Confirmation(
                title=_("Remove the core technology %(name)s?") % {"name": technology.name},
                consequences=[
                    _("The technology leaves your company's record."),
                    _("The audit trail keeps what it held; the nominating ministry is told."),
                ],
                action=request.path,
                button=_("Remove"),
                cancel_url=_detail(company),
            ),
        )
    profile.technology_remove(company=company, acting_user=user, technology=technology)
    messages.success(request, _("The core technology %(name)s was removed.") % {"name": technology.name})
    return redirect(_detail(company))
