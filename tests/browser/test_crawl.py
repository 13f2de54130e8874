"""Every page of every role in a real browser (Debian's Chromium through Playwright), on every test run.

The demo at its smallest size (through the services) gives every role something to open. Each role (the seven
of `core.roles.Role` and the public) logs in through the login form and walks every page reachable from its
navigation by following links (GET only: logout and every write are POST forms, never followed), so a new page
is crawled without editing this test. Same route with other ids: at most `PER_ROUTE` examples; with a query
string (sorted, filtered, paged), one per set of parameter names. Downloads (xlsx/csv/pdf) are fetched, not
rendered, and must answer 200.

Passes per role: Korean at desktop width (discovers the pages; axe; text), English at desktop width (axe;
text), then Korean and English at 390 px (overflow; the text is the desktop's). Any of these fails the test:
- an HTTP status >= 400 for the page or any asset or request it makes, or a request that failed;
- a JavaScript console error or an uncaught exception;
- a request to another host;
- a visible raw choice code (the codes of every model field with choices; on English pages only the codes
  that are not ordinary words, i.e. with an underscore) or an English sentence on a Korean page;
- horizontal overflow out of the viewport at 390 px;
- an axe-core violation of impact serious or critical;
- at 390 px, a main menu that is not folded behind its button (or that the button does not unfold).

Screenshots of every page go to test-artifacts/crawl/<role>/<lang>-<width>/; the summary (pages per role, axe
results, every problem) to test-artifacts/crawl/summary.txt and the test's output.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from tests.browser.test_round_walk import ARGS, CHROMIUM

ARTIFACTS = Path(os.environ.get("CRAWL_ARTIFACTS", "test-artifacts/crawl"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PER_ROUTE = 2  # examples of one route (same pattern, other ids or query values) in the discovering pass
MAX_PAGES = 140  # per role, a guard against a crawl that never ends
DOWNLOAD_SUFFIXES = (".xlsx", ".csv", ".pdf", ".zip")
DOWNLOAD_WORDS = {"export", "download", "xlsx", "csv", "pdf"}
# Not pages of this application's interface: Django's admin (its own look), the JSON API (checked by its tests;
# its documentation page /api/docs is crawled), static files.
SKIP_PREFIXES = ("/admin/", "/static/", "/media/")

pytestmark = [pytest.mark.browser]


# ------------------------------------------------------------------------------------------ what is checked

# Visible text of the page, one string per text node (and placeholders), leaving out what is not meant to be
# read as the page's language: scripts, code, hidden elements and anything marked with another `lang`.
TEXT_JS = """() => {
  const out = [];
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "CODE", "PRE", "KBD", "SAMP", "svg"]);
  const pageLang = (document.documentElement.lang || "").slice(0, 2);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const text = node.nodeValue.trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || skip.has(el.tagName) || el.closest("script,style,code,pre,kbd,samp,[aria-hidden=true]")) continue;
    const marked = el.closest("[lang]");
    if (marked && marked.lang.slice(0, 2) !== pageLang) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder]")) {
    if (el.checkVisibility()) out.push(el.getAttribute("placeholder"));
  }
  return {lang: pageLang, texts: out};
}"""

# The widest elements sticking out of the viewport (outside any horizontally scrolling container).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  const scrolls = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; }
    return false; };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].slice(0, 3).join(".") : "");
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    const pos = getComputedStyle(el).position;  // positioned out of any scrolling box, it widens the page
    if (r.right > width + 1 && r.width > 0 && (pos === "absolute" || pos === "fixed" || !scrolls(el))) {
      const parent = el.parentElement;
      if (parent && parent.getBoundingClientRect().right > width + 1 && !scrolls(parent) && parent !== document.body)
        continue;  // report the outermost element that sticks out
      found.push(name(el) + " (right edge " + Math.round(r.right) + " px)");
    }
  }
  return [`page is ${document.documentElement.scrollWidth} px wide in a ${width} px viewport`, ...found.slice(0, 4)];
}"""

LINKS_JS = """() => [...document.querySelectorAll("a[href]")].map(a => ({href: a.href, download: a.hasAttribute("download")}))"""

AXE_RUN_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(1, 2).join(""))
  }));
}"""

ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z']*(?:[ ,;:'-]+[A-Za-z][A-Za-z']*){3,}")


def english_sentences(text: str) -> list[str]:
    """Runs of four or more English words of which at least two are lower-case words (names and acronyms such
    as "Korea Development Bank" or "KRDS" are not sentences)."""
    out = []
    for m in ENGLISH_RUN.finditer(text):
        words = re.findall(r"[A-Za-z][A-Za-z']*", m.group(0))
        if sum(w[0].islower() and len(w) > 1 for w in words) >= 2:
            out.append(m.group(0))
    return out


def choice_codes() -> set[str]:
    """Every stored code of every model field with choices that could be mistaken for nothing else: lower
    case, with a letter, at least three characters (so numbers, region codes, KSIC letters are left out)."""
    from django.apps import apps

    codes: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            for value, _label in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]{2,}", value):
                    codes.add(value)
    from nic1000.core.roles import Role

    codes.update(str(v) for v in Role.values)
    return codes


def code_pattern(codes: set[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted((re.escape(c) for c in codes), key=len, reverse=True))
    # A code standing alone: not part of a longer identifier, path, address or file name.
    return re.compile(rf"(?<![A-Za-z0-9_./@:-])({alternatives})(?![A-Za-z0-9_/@-]|\.[A-Za-z0-9])")


# ------------------------------------------------------------------------------------------ the crawl


@dataclass
class Problem:
    role: str
    variant: str
    url: str
    kind: str
    detail: str


@dataclass
class RoleStats:
    pages: dict[str, list[str]] = field(default_factory=dict)  # variant -> urls visited
    routes: set[str] = field(default_factory=set)
    downloads: list[str] = field(default_factory=list)


def route_key(path: str, query: str) -> str | None:
    """The route a URL belongs to (its URL pattern and query parameter names); None outside the URLconf."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    names = sorted({k for k, _v in parse_qsl(query, keep_blank_values=True)})
    return f"{match.route}?{'&'.join(names)}" if names else match.route


def is_download(path: str, query: str) -> bool:
    parts = {p for p in re.split(r"[/._-]", path.lower()) if p}
    params = {v.lower() for _k, v in parse_qsl(query)} | {k.lower() for k, _v in parse_qsl(query)}
    return path.lower().endswith(DOWNLOAD_SUFFIXES) or bool((parts | params) & DOWNLOAD_WORDS)


class Crawl:
    def __init__(self, browser: Any, base: str, codes: set[str], ignore_words: set[str]) -> None:
        self.browser, self.base = browser, base.rstrip("/")
        self.host = urlsplit(self.base).netloc
        self.codes = codes
        self.ko_codes = code_pattern(codes - ignore_words)
        # English pages: only codes that are no ordinary word (snake_case); "approved" may be a sentence's word.
        self.en_codes = code_pattern({c for c in codes if "_" in c} - ignore_words)
        self.axe_source = AXE.read_text(encoding="utf-8")
        self.problems: list[Problem] = []
        self.stats: dict[str, RoleStats] = {}
        self.axe: dict[str, Counter[str]] = defaultdict(Counter)  # variant -> rule id -> pages
        self.axe_help: dict[str, str] = {}
        self.axe_runs = 0
        self.axe_ran = False  # axe ran on the current page (its own CSP noise is not the page's)
        self.timing: Counter[str] = Counter()  # seconds spent per step
        self.role_seconds: dict[str, float] = {}
        self.where = ("", "", "")  # role, variant, url of the page being checked

    # -------------------------------------------------------------- recording
    def problem(self, kind: str, detail: str, url: str | None = None) -> None:
        role, variant, current = self.where
        self.problems.append(Problem(role, variant, url or current, kind, detail))

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type != "error" or message.text.startswith("Failed to load resource"):
                return  # a failed load is reported with its address by on_response / on_failed
            if self.axe_ran and "Content Security Policy" in message.text:
                return  # axe-core itself sets inline styles while it measures (the CSP rightly refuses)
            self.problem("console error", message.text[:300])

        def on_request(request: Any) -> None:
            parts = urlsplit(request.url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
                self.problem("request to another host", request.url[:200])

        def on_response(response: Any) -> None:
            if response.status >= 400 and response.request.resource_type != "document":
                self.problem(f"HTTP {response.status} (asset)", response.url.removeprefix(self.base))

        def on_failed(request: Any) -> None:
            if (
                urlsplit(request.url).netloc == self.host
                and request.resource_type != "document"
                and "ERR_ABORTED" not in (request.failure or "")  # cut short by the next navigation
            ):
                self.problem("request failed", f"{request.url.removeprefix(self.base)}: {request.failure}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problem("JavaScript error", str(error)[:300]))
        page.on("request", on_request)
        page.on("response", on_response)
        page.on("requestfailed", on_failed)

    # -------------------------------------------------------------- one page
    def normalise(self, href: str) -> tuple[str, str, str] | None:
        """(url without fragment, path, query) for a link of this site worth following, else None."""
        parts = urlsplit(urljoin(self.base + "/", href))
        if parts.scheme not in ("http", "https") or parts.netloc != self.host:
            return None
        if parts.path.startswith(SKIP_PREFIXES) or (
            parts.path.startswith("/api/") and parts.path != "/api/docs"
        ):
            return None
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        return url, parts.path, parts.query

    def visit(self, page: Any, role: str, variant: str, url: str, index: int, *, axe: bool) -> bool:
        """Open, check and photograph one page; False when it is not a page (an error or a download)."""
        self.where = (role, variant, url.removeprefix(self.base))
        self.axe_ran = False
        t0 = time.perf_counter()
        try:
            response = page.goto(url, wait_until="load")
        except Exception as exc:  # a link that turned out to be a download
            if "Download is starting" in str(exc) or "net::ERR_ABORTED" in str(exc):
                self.download(page, role, url)
                return False
            self.problem("navigation failed", str(exc).splitlines()[0][:200])
            return False
        if response is None or response.status >= 400:
            self.problem(f"HTTP {response.status if response else '?'} (page)", "the page itself")
            return False
        if urlsplit(page.url).netloc != self.host:
            self.problem("left the site", page.url)
            return False
        t_loaded = time.perf_counter()
        self.timing["goto"] += t_loaded - t0
        if page.locator("#swagger-ui").count():  # /api/docs draws itself from the schema after load
            page.wait_for_selector("#swagger-ui .opblock")
        lang = variant.split("-")[0]
        found = page.evaluate(TEXT_JS) if variant.endswith("desktop") else {"lang": lang, "texts": []}
        pattern = self.ko_codes if found["lang"] == "ko" else self.en_codes
        for text in found["texts"]:
            for m in pattern.finditer(text):
                self.problem("raw code", f"{m.group(1)!r} in {text[:120]!r}")
            if found["lang"] == "ko":
                for sentence in english_sentences(text):
                    self.problem("English on a Korean page", sentence[:160])
        if found["lang"] not in (lang, "en"):  # /api/docs is an English page in either language
            self.problem("page language", f"html lang={found['lang']!r}, expected {lang!r}")
        if variant.endswith("390"):
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                self.problem("horizontal overflow at 390 px", "; ".join(overflow))
        t1 = time.perf_counter()
        self.timing["checks"] += t1 - t_loaded
        if axe:
            self.axe_ran = True
            page.evaluate(self.axe_source)
            self.axe_runs += 1
            for v in page.evaluate(AXE_RUN_JS):
                self.axe[variant][v["id"]] += 1
                self.axe_help[v["id"]] = f"{v['impact']}: {v['help']}"
                self.problem(f"axe {v['impact']}: {v['id']}", " | ".join(v["nodes"]))
        t2 = time.perf_counter()
        self.timing["axe"] += t2 - t1
        slug = re.sub(r"[^A-Za-z0-9]+", "-", urlsplit(page.url).path + "-" + urlsplit(page.url).query).strip(
            "-"
        )
        folder = ARTIFACTS / role / variant
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"{index:03d}-{slug[:80] or 'home'}.jpg"  # JPEG: several times faster than PNG here
        try:
            page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=70)
        except PlaywrightError:
            # A screenshot is the crawl's evidence, not one of its checks: Chromium sometimes refuses to capture
            # a whole page on a loaded machine ("Unable to capture screenshot"); keep the visible part instead.
            page.screenshot(path=str(shot), type="jpeg", quality=70)
        self.timing["screenshot"] += time.perf_counter() - t2
        return True

    def download(self, page: Any, role: str, url: str) -> None:
        response = page.context.request.get(url, max_redirects=0)
        self.stats[role].downloads.append(f"{response.status} {url.removeprefix(self.base)}")
        if response.status != 200:
            self.problem(f"HTTP {response.status} (download)", url.removeprefix(self.base), url)

    # -------------------------------------------------------------- one role
    def role(self, role: str, username: str | None, password: str, seeds: list[str]) -> None:
        stats = self.stats[role] = RoleStats()
        context = self.browser.new_context(locale="ko-KR", viewport=DESKTOP, reduced_motion="reduce")
        context.add_cookies([{"name": "django_language", "value": "ko", "url": self.base}])
        page = context.new_page()
        page.set_default_timeout(30_000)
        self.watch(page)
        if username is not None:
            self.where = (role, "ko-desktop", "/accounts/login/")
            page.goto(f"{self.base}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            page.click("form.nic-card button[type=submit]")
            page.wait_for_load_state()
            # The representatives the demo invited enrolled an authenticator, as real invitees do.
            if "/accounts/login/otp/" in page.url:
                page.fill("input[name=token]", _authenticator_code(username))
                page.click("form.nic-card button[type=submit]")
                page.wait_for_load_state()
            assert "/accounts/login/" not in page.url, f"login failed for {username} ({role})"

        # Korean at desktop width: discover the pages by following links from home and the navigation.
        queue = [self.base + s for s in seeds]
        seen: set[str] = set()
        per_route: Counter[str] = Counter()
        visited: list[tuple[str, str]] = []  # (url, route) in the order found
        while queue and len(visited) < MAX_PAGES:
            url = queue.pop(0)
            target = self.normalise(url)
            if target is None or target[0] in seen:
                continue
            url, path, query = target
            seen.add(url)
            key = route_key(path, query)
            if key is None:
                self.where = (role, "ko-desktop", path)
                self.problem("link outside the URLconf", url)
                continue
            if per_route[key] >= (PER_ROUTE if "?" not in key else 1):  # sorted, filtered, paged: once
                continue
            if is_download(path, query):
                per_route[key] += 1
                self.where = (role, "ko-desktop", path)
                self.download(page, role, url)
                continue
            per_route[key] += 1
            if not self.visit(page, role, "ko-desktop", url, len(visited) + 1, axe=True):
                continue
            visited.append((url, key))
            for link in page.evaluate(LINKS_JS):
                if link["download"]:
                    target = self.normalise(link["href"])
                    if target and target[0] not in seen:
                        seen.add(target[0])
                        self.where = (role, "ko-desktop", path)
                        self.download(page, role, target[0])
                elif (t := self.normalise(link["href"])) is not None and t[0] not in seen:
                    queue.append(t[0])
        left = {t[0] for u in queue if (t := self.normalise(u)) is not None and t[0] not in seen}
        if left and len(visited) >= MAX_PAGES:  # raise MAX_PAGES rather than leave routes unvisited
            self.where = (role, "ko-desktop", "")
            self.problem("crawl cut short", f"{MAX_PAGES} pages reached with {len(left)} links not followed")
        stats.pages["ko-desktop"] = [u for u, _k in visited]
        stats.routes = {k for _u, k in visited}

        # The other passes open one example of each route (URL pattern; its sorted or paged views are left out).
        first: dict[str, str] = {}
        for url, key in visited:
            first.setdefault(key.split("?")[0], url)
        for variant, lang, viewport, axe in (
            ("en-desktop", "en", DESKTOP, True),
            ("ko-390", "ko", PHONE, False),
            ("en-390", "en", PHONE, False),
        ):
            context.add_cookies([{"name": "django_language", "value": lang, "url": self.base}])
            page.set_viewport_size(viewport)
            done = []
            for i, url in enumerate(first.values(), start=1):
                if self.visit(page, role, variant, url, i, axe=axe):
                    done.append(url)
            stats.pages[variant] = done
            if variant == "ko-390":
                self.phone_menu(page, role)
        context.close()

    def phone_menu(self, page: Any, role: str) -> None:
        """At 390 px the main menu is folded behind one button that unfolds it."""
        self.where = (role, "ko-390", "/")
        page.goto(self.base + "/")
        menu = page.locator("#nic-gnb-list")
        if menu.locator("a").count() == 0:
            return  # nothing to fold
        if menu.is_visible():
            self.problem("phone menu", "the main menu is not folded at 390 px")
            return
        page.click(".nic-gnb-toggle")
        if not menu.is_visible() or page.get_attribute(".nic-gnb-toggle", "aria-expanded") != "true":
            self.problem("phone menu", "the menu button does not unfold the main menu")

    # -------------------------------------------------------------- the report
    def summary(self, seconds: float) -> str:
        steps = ", ".join(f"{k} {v:.0f} s" for k, v in self.timing.items())
        lines = [
            f"Browser crawl: {len(self.stats)} roles in {seconds:.0f} s ({steps}); {self.axe_runs} axe runs",
            "",
        ]
        lines.append("Pages per role (ko-desktop visits / distinct routes / downloads checked):")
        for role, s in self.stats.items():
            lines.append(
                f"  {role:<20} {self.role_seconds.get(role, 0):>4.0f} s {len(s.pages.get('ko-desktop', [])):>3} pages  {len(s.routes):>3} routes"
                f"  {len(s.downloads):>2} downloads   (+ {len(s.pages.get('en-desktop', []))} en,"
                f" {len(s.pages.get('ko-390', []))} ko-390, {len(s.pages.get('en-390', []))} en-390)"
            )
        lines += ["", "axe-core (serious and critical), pages per rule:"]
        rules = sorted({r for c in self.axe.values() for r in c})
        if not rules:
            lines.append("  none")
        for rule in rules:
            per = ", ".join(f"{v} {c[rule]}" for v, c in self.axe.items() if c[rule])
            lines.append(f"  {rule:<28} {per}   ({self.axe_help[rule]})")
        kinds = Counter(p.kind for p in self.problems)
        lines += ["", f"Problems: {len(self.problems)}"]
        for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {n:>5}  {kind}")
        lines += ["", "Details (one line per kind and detail; roles, variants and up to 3 pages):"]
        grouped: dict[tuple[str, str], list[Problem]] = defaultdict(list)
        for p in self.problems:
            grouped[(p.kind, p.detail)].append(p)
        for (kind, detail), ps in sorted(grouped.items()):
            roles = ",".join(sorted({p.role for p in ps}))
            variants = ",".join(sorted({p.variant for p in ps}))
            pages = " ".join(sorted({p.url for p in ps})[:3])
            lines.append(
                f"- [{kind}] {detail}\n    {len(ps)}x roles={roles} variants={variants} pages: {pages}"
            )
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------ the data


def _authenticator_code(username: str) -> str:
    """The current code of a demo user's authenticator (the demo seeds their secrets)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nic1000.demo.stages.people import totp_code

    return totp_code(TOTPDevice.objects.get(user__username=username, confirmed=True).key)


def load_demo() -> dict[str, str | None]:
    """The demo at its smallest size (through the services); one login per role, the richest of each."""
    from django.db.models import Count

    from nic1000.accounts.models import User
    from nic1000.core.roles import PUBLIC, Role
    from nic1000.demo.management.commands.demo import run_demo
    from tests.finance.factories import ensure_products

    ensure_products()  # a transactional test before this one may have flushed them
    run_demo(seed=1000, companies=100, fast=True, out=lambda _line: None)
    users = User.objects.filter(email__endswith="@demo.nic1000.kr")
    richest = {
        Role.EVALUATOR: users.filter(role=Role.EVALUATOR)
        .annotate(n=Count("evaluator_profile__assignments"))
        .order_by("-n", "username"),
        Role.COMPANY: users.filter(role=Role.COMPANY)
        .annotate(n=Count("company__finance_applications"))
        .order_by("-n", "username"),
    }
    logins: dict[str, str | None] = {PUBLIC: None}
    for role in Role:
        qs = richest.get(role, users.filter(role=role).order_by("username"))
        user = qs.first()
        assert user is not None, f"the demo has no {role} user"
        logins[str(role)] = user.username
    return logins


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("request_connections")
def test_every_page_of_every_role(live_server: Any, reference_data: None) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make install` (apt-get install chromium)"
    assert AXE.is_file(), f"{AXE} is missing: run `make install` (npm ci)"
    from playwright.sync_api import sync_playwright

    from nic1000.accounts.models import User
    from nic1000.demo.context import DEMO_PASSWORD

    started = time.perf_counter()
    logins = load_demo()
    demo_seconds = time.perf_counter() - started
    # Usernames are shown as they are (the audit trail's actors): "auditor" is a username, not a raw code.
    ignore = set(User.objects.values_list("username", flat=True))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            crawl = Crawl(browser, live_server.url, choice_codes(), ignore)
            only = {r for r in os.environ.get("CRAWL_ROLES", "").split(",") if r}  # to debug one role
            for role, username in logins.items():
                if only and role not in only:
                    continue
                t = time.perf_counter()
                seeds = ["/"] if username else ["/", "/accounts/login/", "/api/docs"]
                crawl.role(role, username, DEMO_PASSWORD, seeds)
                crawl.role_seconds[role] = time.perf_counter() - t
        finally:
            browser.close()
    report = crawl.summary(time.perf_counter() - started) + f"\n(the demo data took {demo_seconds:.0f} s)"
    (ARTIFACTS / "summary.txt").write_text(report + "\n", encoding="utf-8")
    (ARTIFACTS / "problems.json").write_text(
        json.dumps([p.__dict__ for p in crawl.problems], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print("\n" + report)
    for role, stats in crawl.stats.items():
        assert stats.pages.get("ko-desktop"), f"{role} reached no page"
    assert not crawl.problems, report


def test_the_checks_catch_what_they_look_for() -> None:
    """The text rules themselves: sentences and raw codes are found, names and numbers are not."""
    assert english_sentences("The inspection was queued in the background")
    assert not english_sentences("Korea Development Bank (KDB)")
    assert not english_sentences("혁신기업 국가대표 1000 · KRDS")
    pattern = code_pattern({"in_review", "program_office", "draft"})
    assert pattern.search("상태: in_review")
    assert pattern.search("draft")
    assert not pattern.search("/rounds/draft/ evaluator01 in_review_x a.draft.b mail@draft.kr 1,000")
    assert route_key("/rounds/published/", "") is not None
    assert is_download("/finance/applications/export.xlsx", "") and not is_download("/rounds/1/", "")
