"""The published selection as an Excel file, and the office's round lists (nominations, candidacies,
assignments, reviews, results, evaluators) with the page's filters and sort, all written with `core.excel`
(formula-safe text cells), read in chunks; and those lists' sortable columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nic1000.core.excel import Sheet, xlsx_write
from nic1000.core.identifiers import brn_format
from nic1000.core.listing import local_naive, rows_of, xlsx_response
from nic1000.core.sectors import sector_label
from nic1000.core.sorting import DESC, SortSpec
from nic1000.rounds.models import (
    Assignment,
    Candidacy,
    EvaluatorProfile,
    Nomination,
    PublishedSelection,
    Round,
)

ROUND_SORT = SortSpec(
    columns={
        "number": ("number",),
        "name": ("name",),
        "state": ("state",),
        "candidacies": ("n_candidacies",),
    },
    default="number",
    default_dir=DESC,
)
NOMINATION_SORT = SortSpec(
    columns={
        "company": ("candidacy__company__name_ko",),
        "brn": ("candidacy__company__brn",),
        "body": ("body__code",),
        "by": ("nominated_by__username",),
        "when": ("created_at",),
        "eligible": ("candidacy__eligible",),
    },
    default="when",
    default_dir=DESC,
)
CANDIDACY_SORT = SortSpec(
    columns={
        "company": ("company__name_ko",),
        "sector": ("sector",),
        "eligible": ("eligible",),
        "evaluators": ("n_assigned",),
        "score": ("score",),
    },
    default="company",
)
RESULT_SORT = SortSpec(
    columns={
        "rank": ("rank", "-score"),
        "company": ("company__name_ko",),
        "body": ("lead_body__code",),
        "sector": ("sector",),
        "score": ("score",),
        "spread": ("spread",),
        "selected": ("selected",),
    },
    default="rank",
)
EVALUATOR_SORT = SortSpec(
    columns={
        "evaluator": ("user__username",),
        "affiliation": ("affiliation",),
        "sections": ("ksic_sections",),
        "active": ("n_active",),
    },
    default="evaluator",
)

# Headers in the exporter's language (lazy labels written by core.excel); cells show labels, never codes.
HEADER = [
    _("Rank"),
    _("Company"),
    _("Nominating body"),
    _("All nominating bodies"),
    _("Sector"),
    _("Region"),
]


def selections_xlsx(*, round: Round, rows: Iterable[PublishedSelection]) -> bytes:
    data = (
        [r.rank, r.company_name, r.body.name_ko, r.bodies, sector_label(r.sector), r.get_region_display()]
        for r in rows
    )
    sheet = Sheet(
        title=gettext("Round %(n)s") % {"n": round.number},
        header=HEADER,
        rows=data,
        widths={0: 10, 1: 40, 2: 14, 3: 24, 4: 18, 5: 16},
    )
    return xlsx_write([sheet])


def _yes_no(value: bool | None) -> str:
    return "" if value is None else str(_("Yes") if value else _("No"))


def nominations_xlsx(*, nominations: QuerySet[Nomination]) -> HttpResponse:
    header = [_("Company"), _("BRN"), _("Body"), _("By"), _("When"), _("Eligible"), _("Reason")]

    def row(n: Nomination) -> Sequence[object]:
        c = n.candidacy
        return [c.company.name_ko, brn_format(c.company.brn), n.body.code, str(n.nominated_by),
                local_naive(n.created_at), _yes_no(c.eligible), n.reason]  # fmt: skip

    return xlsx_response(name="nominations", header=header, rows=rows_of(nominations, row))


def candidacies_xlsx(*, candidacies: QuerySet[Candidacy]) -> HttpResponse:
    header = [
        _("Company"),
        _("BRN"),
        _("Nominated by"),
        _("Sector"),
        _("Eligible"),
        _("Evaluators"),
        _("Score"),
    ]

    def row(c: Candidacy) -> Sequence[object]:
        bodies = " ".join(n.body.code for n in c.nominations.all())
        return [c.company.name_ko, brn_format(c.company.brn), bodies, c.sector, _yes_no(c.eligible),
                getattr(c, "n_assigned", None), c.score]  # fmt: skip

    return xlsx_response(name="candidacies", header=header, rows=rows_of(candidacies, row))


def round_assignments(*, round: Round) -> QuerySet[Assignment]:
    """The round's active assignments with their candidacy, evaluator and review (for the exports)."""
    return (
        Assignment.objects.filter(round=round, active=True)
        .select_related("candidacy__company", "evaluator__user", "review")
        .order_by("candidacy__company__name_ko", "candidacy_id", "evaluator__user__username", "id")
    )


def _review_state(a: Assignment) -> str:
    review = getattr(a, "review", None)
    if review is not None:
        return str(review.get_state_display())
    return str(_("Opened") if a.opened_at else _("Not opened"))


def assignments_xlsx(*, assignments: QuerySet[Assignment]) -> HttpResponse:
    header = [_("Company"), _("BRN"), _("Evaluator"), _("Source"), _("Affinity"), _("Reason"), _("Review")]

    def row(a: Assignment) -> Sequence[object]:
        company = a.candidacy.company
        return [company.name_ko, brn_format(company.brn), str(a.evaluator.user), a.get_source_display(),
                a.affinity, a.reason, _review_state(a)]  # fmt: skip

    return xlsx_response(name="assignments", header=header, rows=rows_of(assignments, row))


def reviews_xlsx(*, round: Round, assignments: QuerySet[Assignment]) -> HttpResponse:
    deadline = round.scoring_deadline
    header = [_("Evaluator"), _("Company"), _("BRN"), _("State"), _("Opened"), _("Submitted"), _("Total"),
              _("Late")]  # fmt: skip

    def row(a: Assignment) -> Sequence[object]:
        review = getattr(a, "review", None)
        submitted = review.submitted_at if review is not None else None
        late = bool(deadline and (submitted > deadline if submitted else False))
        company = a.candidacy.company
        return [str(a.evaluator.user), company.name_ko, brn_format(company.brn), _review_state(a),
                local_naive(a.opened_at), local_naive(submitted), review.total if review else None,
                _yes_no(late)]  # fmt: skip

    return xlsx_response(name="reviews", header=header, rows=rows_of(assignments, row))


def results_xlsx(*, candidacies: QuerySet[Candidacy]) -> HttpResponse:
    header = [_("Rank"), _("Company"), _("BRN"), _("Body"), _("Sector"), _("Score"), _("Spread"), _("Selected"),
              _("Deciding quota")]  # fmt: skip

    def row(c: Candidacy) -> Sequence[object]:
        body = c.lead_body.code if c.lead_body else ""
        return [c.rank, c.company.name_ko, brn_format(c.company.brn), body, c.sector, c.score, c.spread,
                _yes_no(c.selected), c.deciding_quota]  # fmt: skip

    return xlsx_response(name="results", header=header, rows=rows_of(candidacies, row))


def evaluators_xlsx(*, evaluators: QuerySet[EvaluatorProfile]) -> HttpResponse:
    header = [_("Evaluator"), _("Affiliation"), _("KSIC sections"), _("Keywords"), _("Active assignments")]

    def row(e: EvaluatorProfile) -> Sequence[object]:
        return [str(e.user), e.affiliation, e.ksic_sections, e.keywords, getattr(e, "n_active", None)]

    return xlsx_response(name="evaluators", header=header, rows=rows_of(evaluators, row))
