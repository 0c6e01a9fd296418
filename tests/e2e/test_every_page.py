"""Every page, signed out and signed in, at a laptop's and at phones' widths: it fits the screen (no sideways
scrolling), the browser reports no Content-Security-Policy violation and no console error, axe-core finds nothing
serious or critical, and the page has exactly one <h1>. Main pages leave screenshots in test-artifacts/screens/.

One browser context per width and group; the pages are walked in one test so the suite stays quick.
"""

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from library.services import board_assets_add, board_create
from studio.credits.services import credit_request_create, credits_grant
from studio.generation.models import GenerationJob
from studio.teams.models import Membership
from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team, make_asset
from tests.factories import MembershipFactory, UserFactory
from tests.generation.factories import GenerationJobFactory
from tests.processes import ARTIFACTS

SCREENS = ARTIFACTS / "screens"


@dataclass(frozen=True)
class Width:
    name: str
    width: int
    height: int
    audit: bool  # run axe-core here (the laptop and the phone); the narrowest phone is checked for fit only


DESKTOP = Width("desktop", 1280, 800, audit=True)
PHONE = Width("phone", 390, 844, audit=True)
SMALL_PHONE = Width("small-phone", 360, 740, audit=False)
WIDTHS = [pytest.param(w, id=w.name) for w in (DESKTOP, PHONE, SMALL_PHONE)]

# Recorded in every document before its own scripts run, so a violation during the first paint is caught too.
LISTEN_FOR_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + (event.sourceFile || "") + ":" + event.lineNumber + " " + (event.sample || ""));
});
"""
AXE = Axe()
SERIOUS = {"serious", "critical"}
# An error page answers 403/404 on purpose; Chromium logs that status as a console error.
EXPECTED_STATUS_LOG = re.compile(r"^Failed to load resource: the server responded with a status of (403|404)")


@dataclass
class Page:
    path: str
    name: str
    screenshot: bool = False
    error_page: bool = False


class Walker:
    """Visits pages in one browser context and writes down what is wrong with each, to report all at once."""

    def __init__(self, browser, live_studio, width):
        self.width = width
        self.context = browser.new_context(
            base_url=live_studio.url, viewport={"width": width.width, "height": width.height}
        )
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(LISTEN_FOR_CSP)
        self.page = self.context.new_page()
        self.console = []
        self.page.on("console", lambda msg: msg.type == "error" and self.console.append(msg.text))
        self.page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))
        self.problems = []

    def visit(self, target):
        self.console.clear()
        self.page.goto(target.path)
        self.page.wait_for_load_state("networkidle")
        self.check(target)

    def check(self, target):
        page, where = self.page, f"{target.name} ({target.path}) at {self.width.width}px"
        fit = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if fit[0] > fit[1]:
            wide = page.evaluate(
                """(limit) => Array.from(document.querySelectorAll('body *'))
                .filter(el => el.getBoundingClientRect().right > limit + 1 && el.getClientRects().length)
                .slice(0, 4).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                  (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''))""",
                fit[1],
            )
            self.problems.append(f"{where}: the document is {fit[0]}px wide in a {fit[1]}px window ({wide})")
        for violation in page.evaluate("window.__cspViolations || []"):
            self.problems.append(f"{where}: CSP violation: {violation}")
        errors = [text for text in self.console if not (target.error_page and EXPECTED_STATUS_LOG.match(text))]
        for text in errors:
            self.problems.append(f"{where}: console error: {text}")
        headings = page.locator("h1").count()
        if headings != 1:
            self.problems.append(f"{where}: {headings} <h1> elements, not one")
        if self.width.audit:
            before = len(page.evaluate("window.__cspViolations || []"))
            found = AXE.run(page).response["violations"]
            for rule in found:
                if rule["impact"] in SERIOUS:
                    nodes = "; ".join(" ".join(node["target"]) for node in rule["nodes"][:3])
                    self.problems.append(f"{where}: axe {rule['impact']} {rule['id']}: {rule['help']} — {nodes}")
            # Running axe must not trip the policy either (it injects no inline code the page would refuse).
            for violation in page.evaluate("window.__cspViolations || []")[before:]:
                self.problems.append(f"{where}: CSP violation while auditing: {violation}")
        if target.screenshot and self.width in (DESKTOP, PHONE):
            SCREENS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENS / f"{target.name}-{self.width.width}.png"), full_page=False)

    def close(self):
        self.context.close()

    def report(self):
        return "\n".join(self.problems)


@pytest.fixture
def walker(browser, live_studio, transactional_db):
    from tests.processes import seed_reference_data

    seed_reference_data()
    opened = []

    def open_walker(width):
        walker = Walker(browser, live_studio, width)
        opened.append(walker)
        return walker

    yield open_walker
    for walker in opened:
        walker.close()


def a_team_with_work(settings, live_studio):
    """An owner and a member of a team that has credits, assets, a board, a job and an open credit request."""
    team, owner = library_team(settings, live_studio, role="owner", email="olivia@example.com")
    member = MembershipFactory(team=team, role="member", user=UserFactory(email="marco@example.com")).user
    credits_grant(team=team, amount=240, idempotency_key="opening", user=owner)
    poster = make_asset(
        team,
        owner,
        "Lemonade poster",
        prompt='A poster that says "Fresh lemonade"',
        model_id="local:draft",
        tags=["summer"],
        rating=4,
        size=(640, 480),
    )
    make_asset(team, member, "Harbor at dusk", prompt="A harbor at dusk, film grain", model_id="local:draft", hue=0.6)
    board = board_create(team=team, user=owner, name="Summer launch")
    board_assets_add(board=board, assets=[poster], user=owner)
    job = GenerationJobFactory(
        team=team,
        user=owner,
        status=GenerationJob.Status.FAILED,
        error_kind="user",
        error_message="The provider refused this prompt.",
        finished_at=timezone.now(),
    )
    credit_request_create(
        membership=Membership.objects.get(team=team, user=member), amount=60, note="Spring campaign visuals"
    )
    return team, owner, member, poster, board, job


def signed_in_pages(poster, board, job):
    return [
        Page("/studio/", "studio", screenshot=True),
        Page("/studio/jobs/", "jobs"),
        Page(f"/studio/jobs/{job.uuid}/", "job"),
        Page("/library/", "library", screenshot=True),
        Page("/library/?q=lemonade&rating=4", "library-filtered"),
        Page(f"/library/assets/{poster.pk}/", "asset", screenshot=True),
        Page("/library/boards/", "boards", screenshot=True),
        Page(f"/library/boards/{board.pk}/", "board"),
        Page("/influencers/", "influencers"),
        Page("/slides/", "slides"),
        Page("/video/", "video"),
        Page("/schedule/", "schedule"),
        Page("/team/", "team", screenshot=True),
        Page("/team/models/", "team-models"),
        Page("/team/keys/", "team-keys"),
        Page("/team/audit/", "team-audit"),
        Page("/team/transfer/", "team-transfer"),
        Page("/team/delete/", "team-delete"),
        Page("/teams/new/", "team-create"),
        Page("/team/credits/", "credits", screenshot=True),
        Page("/team/credits/ledger/", "credits-ledger"),
        Page("/credits/requests/", "credit-requests-admin", screenshot=True),
        Page("/team/api-tokens/", "api-tokens"),
        Page("/api/v1/docs", "api-docs", screenshot=True),
        Page("/accounts/email/", "account-email"),
        Page("/accounts/password/change/", "account-password"),
        Page("/no-such-page/", "not-found", error_page=True),
    ]


MEMBER_PAGES = [
    Page("/studio/", "studio-member"),
    Page("/credits/requests/", "credit-requests-member", screenshot=True),
    Page("/team/credits/", "forbidden", error_page=True),
]

SIGNED_OUT_PAGES = [
    Page("/accounts/login/", "sign-in", screenshot=True),
    Page("/accounts/signup/", "sign-up", screenshot=True),
    Page("/accounts/password/reset/", "password-reset"),
    Page("/no-such-page/", "not-found-signed-out", error_page=True),
]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_signed_out_page_fits_passes_axe_and_keeps_to_the_csp(walker, width):
    walk = walker(width)
    for target in SIGNED_OUT_PAGES:
        walk.visit(target)
    assert not walk.problems, "\n" + walk.report()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_signed_in_page_fits_passes_axe_and_keeps_to_the_csp(walker, width, settings, live_studio):
    team, owner, member, poster, board, job = a_team_with_work(settings, live_studio)
    walk = walker(width)
    log_in(walk.page, owner.email)
    for target in signed_in_pages(poster, board, job):
        walk.visit(target)
    # The menus open over the page: audit them open too, and the navigation menu on phones.
    # A live search swaps the results with htmx: its indicator must not add inline styles the CSP refuses.
    walk.console.clear()
    walk.page.goto("/library/")
    with walk.page.expect_response(re.compile(r"/library/\?q=harbor")):
        walk.page.get_by_label("Search the library").fill("harbor")
    walk.page.wait_for_load_state("networkidle")
    walk.check(Page("/library/?q=harbor", "library-live-search"))
    for menu in ("details.team-switcher", "details.user-menu", "details.nav-menu"):
        summary = walk.page.locator(f"{menu} > summary")
        if summary.is_visible():
            summary.click()
            walk.check(Page("/library/", f"menu-{menu.split('.')[-1]}", screenshot=menu.endswith("nav-menu")))
            walk.page.keyboard.press("Escape")
            assert not walk.page.locator(f"{menu}[open]").count(), f"Escape leaves {menu} open"

    member_walk = walker(width)
    log_in(member_walk.page, member.email)
    for target in MEMBER_PAGES:
        member_walk.visit(target)
    problems = walk.problems + member_walk.problems
    assert not problems, "\n" + "\n".join(problems)
