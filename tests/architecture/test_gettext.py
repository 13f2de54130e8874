"""gettext is the only path for text a user can see (issue 12).

Three scans fail on text that would reach a Korean page in English:
- templates: words outside {% translate %} / {% blocktranslate %} (and attributes people read: title,
  aria-label, placeholder, alt) — a short list of names that are the same in every language is allowed;
- Python (AST): a string literal or f-string given directly as a message, an error, a label or a help text,
  where gettext was needed;
- models: every choice of every field has a lazily translated label, so `get_FOO_display` is Korean for a
  Korean reader.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils.functional import Promise

SRC = Path(__file__).resolve().parents[2] / "src" / "nic1000"
TEMPLATES = SRC / "templates"

# Words that are the same in every language (names, units, formats), allowed outside gettext in templates.
SAME_IN_EVERY_LANGUAGE = {"nic1000", "nic", "English", "TRL", "JSON", "Z''", "API", "KSIC", "BRN", "PDF"}

_CUT = re.compile(
    r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r"|<script.*?</script>|<style.*?</style>|\{#.*?#\}",
    re.S,
)
_DJANGO = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_HTML = re.compile(r"<[^>]*>", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_READ_ATTRS = re.compile(r'\b(title|aria-label|placeholder|alt)="([^"]*)"')


def template_bypasses(text: str) -> list[str]:
    """The words of a template that a reader sees and that no translate tag covers."""
    text = _DJANGO.sub(" ", _CUT.sub(" ", text))
    found = []
    for _attr, value in _READ_ATTRS.findall(text):
        found += [w for w in _WORD.findall(value) if w not in SAME_IN_EVERY_LANGUAGE]
    visible = _HTML.sub(" ", text)
    visible = re.sub(r"&[a-z]+;|&#\d+;", " ", visible)
    found += [w for w in _WORD.findall(visible) if len(w) > 1 and w not in SAME_IN_EVERY_LANGUAGE]
    return found


def test_template_scan_finds_bare_text() -> None:
    assert template_bypasses('<p>Hello {% translate "world" %}</p>') == ["Hello"]
    assert template_bypasses('<a title="Open it" href="{% url "x" %}">x</a>') == ["Open", "it"]
    assert template_bypasses("{% blocktranslate %}Fine {{ n }}{% endblocktranslate %}<b>{{ a.b }}</b>") == []


def test_templates_have_no_text_outside_gettext() -> None:
    bad = {
        str(p.relative_to(TEMPLATES)): words
        for p in sorted(TEMPLATES.rglob("*.html"))
        if (words := template_bypasses(p.read_text(encoding="utf-8")))
    }
    assert not bad, f"text outside {{% translate %}} in templates: {bad}"


# --- Python ------------------------------------------------------------------------------------------------

# Calls whose first argument is a message a user reads.
_MESSAGE_CALLS = {
    "ValidationFailed",
    "Conflict",
    "NotFound",
    "Forbidden",
    "ApplicationError",
    "ErrorDetail",
    "ValidationError",
    "success",
    "error",
    "warning",
    "info",
    "add_error",
    "_bad",
}
# Keywords whose value a user reads.
_READ_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "message", "title", "body"}
# Where English is right: pure algorithms (Django-free; their codes are translated where shown), migrations,
# the demo's data, the admin, command-line output and the settings.
_SKIP_PARTS = {"algorithms", "migrations", "demo", "management", "data"}
_SKIP_FILES = {"settings.py", "admin.py"}
# Literals that look like words but are identifiers, with the reason.
NOT_WORDS = {
    # the audit trail's actor of an institution's API call: an identifier, the same in every language
    ("finance/apis.py", "f'api:{token.institution.code}:{token.prefix}'"),
}


def _is_words(node: ast.AST) -> bool:
    """A literal text with a word in it (not a code such as "amount_required"), or an f-string."""
    if isinstance(node, ast.JoinedStr):
        words = any(
            isinstance(v, ast.Constant) and re.search(r"[A-Za-z]{2,}", str(v.value)) for v in node.values
        )
        # both languages side by side, f"{ko} ({en})", is no translation either
        english = any(
            isinstance(n, ast.Name | ast.Attribute) and re.search(r"(^|_)en$", ast.unparse(n))
            for v in node.values
            if isinstance(v, ast.FormattedValue)
            for n in ast.walk(v.value)
        )
        return words or english
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(
            re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", node.value) or re.fullmatch(r"[A-Z][a-z]+", node.value)
        )
    return False


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_form_field(node: ast.Call) -> bool:
    """forms.XxxField(...) (its label would default to the English attribute name), hidden ones aside."""
    func = node.func
    hidden = any(k.arg == "widget" and "Hidden" in ast.unparse(k.value) for k in node.keywords)
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "forms"
        and func.attr.endswith("Field")
        and not hidden
    )


def python_bypasses(source: str) -> list[tuple[int, str]]:
    """(line, text) of literal texts passed as messages, errors or labels without gettext."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):  # {"label": "Companies", "message": ...} handed to a template
            found += [
                (node.lineno, ast.unparse(v)[:80])
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value in _READ_KEYWORDS | {"text"} and _is_words(v)
            ]
            continue
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        candidates: list[ast.expr] = []
        if name == "register_nav" and len(node.args) > 1:
            candidates.append(node.args[1])
        if name in _MESSAGE_CALLS and node.args:
            candidates.append(
                node.args[0] if name not in ("success", "error", "warning", "info") else node.args[-1]
            )
            if name == "add_error" and len(node.args) > 1:
                candidates = [node.args[1]]
        candidates += [k.value for k in node.keywords if k.arg in _READ_KEYWORDS]
        if _is_form_field(node) and not any(k.arg == "label" for k in node.keywords):
            found.append(
                (node.lineno, f"{ast.unparse(node.func)}(...) without a label: Django would show its name")
            )
        for c in candidates:
            if _is_words(c):
                text = ast.unparse(c)
                found.append((node.lineno, text[:80]))
    return found


def test_python_scan_finds_bare_messages() -> None:
    src = (
        'raise ValidationFailed("The amount is too large.", code="x")\n'
        'messages.success(request, f"Saved {n} rows")\n'
        'forms.CharField(label="Company name")\n'
        'raise ValidationFailed(_("The amount is too large."), code="amount_too_large")\n'
        'ErrorDetail(message=str(reason), code="not_eligible")\n'
        "forms.CharField(required=False)\n"
        'forms.CharField(label=_("Who"), required=False)\n'
        'forms.IntegerField(label=f"{ko} ({en})")\n'
    )
    assert [line for line, _ in python_bypasses(src)] == [1, 2, 3, 6, 8]


def test_python_passes_messages_through_gettext() -> None:
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if _SKIP_PARTS & set(rel.parts) or path.name in _SKIP_FILES:
            continue
        bad += [
            f"{rel}:{line}: {text}"
            for line, text in python_bypasses(path.read_text(encoding="utf-8"))
            if (str(rel), text) not in NOT_WORDS
        ]
    assert not bad, "literal text shown to users without gettext:\n" + "\n".join(bad)


# --- Models ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_choice_has_a_translated_label() -> None:
    bad: list[str] = []
    for model in apps.get_models():
        if not model.__module__.startswith("nic1000."):
            continue
        for f in model._meta.get_fields():
            for value, label in getattr(f, "flatchoices", None) or []:
                if value == "" and label == "---------":
                    continue
                if not isinstance(label, Promise):
                    bad.append(f"{model._meta.label}.{f.name}={value!r}: {label!r}")
    assert len([m for m in apps.get_models() if m.__module__.startswith("nic1000.")]) > 20
    assert not bad, f"choices without a gettext_lazy label: {bad}"


def test_gettext_is_imported_under_names_makemessages_extracts() -> None:
    """`from django.utils.translation import gettext as t` hides every t("...") from makemessages: the text
    would never get Korean, and test_locale could not tell. Only `_` or the function's own name."""
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                bad += [
                    f"{path.relative_to(SRC)}: {a.name} as {a.asname}"
                    for a in node.names
                    if a.asname not in (None, "_", a.name) and "gettext" in a.name
                ]
    assert not bad, bad
