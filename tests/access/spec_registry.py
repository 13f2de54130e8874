"""Role matrix: the registry pages (company list, detail, export, import, templates)."""

from tests.access.spec import Case

READERS = frozenset({"program_office", "ministry_officer", "auditor", "support_group"})


def _own(world: dict) -> dict:
    return {"pk": world["personas"].company_a_obj.pk}  # the company persona represents company_a


def _other(world: dict) -> dict:
    return {"pk": world["personas"].company_b_obj.pk}


CASES = [
    Case("registry:company_list", READERS),
    Case(
        "registry:company_list",
        READERS,
        query="q=%EC%97%90%EC%9D%B4&ksic_section=C&region=11&size=small&sme=yes&page_size=50&page=2",
        label="filtered",
    ),
    Case(
        "registry:company_list",
        READERS,
        query="q=not-a-number&page=abc&page_size=7&sme=maybe",
        label="bad input",
    ),
    Case("registry:company_list", READERS, headers=lambda w, r: {"HX-Request": "true"}, label="htmx partial"),
    # A company representative sees their own company's page, never another's (404 like a missing one).
    Case("registry:company_detail", READERS | {"company"}, kwargs=_own, label="own company"),
    Case("registry:company_detail", READERS, kwargs=_other, label="another company"),
    Case("registry:company_detail", set(), kwargs={"pk": 999999}, label="missing"),
    Case("registry:export", {"program_office", "auditor"}),
    Case("registry:import", {"program_office"}),
    # No file: the form comes back with the problem marked (200), nothing is written.
    Case("registry:import", {"program_office"}, method="POST", data={"kind": "companies"}, label="no file"),
    Case("registry:template", {"program_office"}, kwargs={"kind": "companies"}),
    Case("registry:template", set(), kwargs={"kind": "nonsense"}, label="unknown kind"),
]


# A company's own record: its representative only; another company's record is not found (404).
def build(world: dict) -> None:
    from tests.factories import CoreTechnologyFactory, PatentFactory

    a = world["personas"].company_a_obj
    world["own_patent"] = PatentFactory(company=a)
    world["own_technology"] = CoreTechnologyFactory(company=a)
    world["other_patent"] = PatentFactory(company=world["personas"].company_b_obj)


def _own_patent(w: dict) -> dict:
    return {"pk": w["personas"].company_a_obj.pk, "item": w["own_patent"].pk}


def _own_technology(w: dict) -> dict:
    return {"pk": w["personas"].company_a_obj.pk, "item": w["own_technology"].pk}


def _other_patent(w: dict) -> dict:
    return {"pk": w["personas"].company_b_obj.pk, "item": w["other_patent"].pk}


_REP = {"company"}
CASES += [
    Case("registry:company_edit", _REP, kwargs=_own),
    Case("registry:company_edit", set(), kwargs=_other, label="another company"),
    Case("registry:patent_add", _REP, kwargs=_own),
    Case("registry:patent_edit", _REP, kwargs=_own_patent),
    Case("registry:patent_edit", set(), kwargs=_other_patent, label="another company"),
    # The first POST asks to confirm (200); nothing is removed.
    Case("registry:patent_remove", _REP, kwargs=_own_patent, method="POST"),
    Case(
        "registry:patent_remove",
        set(),
        kwargs=_other_patent,
        method="POST",
        label="another company",
        data={"confirmed": "1"},
    ),
    Case("registry:technology_add", _REP, kwargs=_own),
    Case("registry:technology_edit", _REP, kwargs=_own_technology),
    Case("registry:technology_remove", _REP, kwargs=_own_technology, method="POST"),
]
