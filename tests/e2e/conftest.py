"""Browser journeys: Debian's Chromium driven by Playwright against the real studio (web server and Celery worker)."""

import os
import re
from pathlib import Path

import pytest

from tests.processes import ARTIFACTS, child_environment, free_port, seed_reference_data, start_web, start_worker

# Playwright's sync API keeps an event loop on the test thread; the ORM calls the tests make there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("POSTFRAME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


class Studio:
    def __init__(self, url, server, worker):
        self.url, self.server, self.worker = url, server, worker


class SocialFakes:
    """The platform fakes the live worker publishes to (this process serves them, so a test turns their knobs)."""

    # A lost answer stalls past this in the journeys (seconds; the studio's default is 30).
    PUBLISH_TIMEOUT = 3

    def __init__(self, linkedin, x):
        self.linkedin, self.x = linkedin, x

    def environment(self):
        return {
            "LINKEDIN_API_URL": self.linkedin.url,
            "LINKEDIN_VERSION": "202611",
            "X_API_URL": self.x.url,
            "SCHEDULING_PUBLISH_TIMEOUT": self.PUBLISH_TIMEOUT,
        }


@pytest.fixture(scope="session")
def social_fakes():
    from tests.fakes.linkedin.server import FakeLinkedIn
    from tests.fakes.x.server import FakeX

    with FakeLinkedIn() as linkedin, FakeX() as x:
        yield SocialFakes(linkedin, x)


@pytest.fixture(scope="session")
def live_studio(django_db_setup, django_db_blocker, tmp_path_factory, social_fakes):
    """The web server and one Celery worker serving this run's test database over real HTTP and websockets; the
    worker publishes scheduled posts to the session's platform fakes."""
    port = free_port()
    with django_db_blocker.unblock():
        media = tmp_path_factory.mktemp("e2e-media")
        env = child_environment(
            MEDIA_ROOT=media,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=f"http://127.0.0.1:{port}",
            **social_fakes.environment(),
        )
        server = start_web(env, port)
        worker = start_worker(env, name="e2e-worker", concurrency=1)
    yield Studio(f"http://127.0.0.1:{port}", server, worker)
    worker.stop()
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _artifact_name(node):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node.nodeid)[-150:]


@pytest.fixture
def new_page(browser, live_studio, request, transactional_db):
    """Open fresh browser contexts (one per user); failures leave a screenshot in test-artifacts/."""
    seed_reference_data()
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_studio.url, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        return page

    yield open_page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, context in enumerate(contexts):
            for page_index, page in enumerate(context.pages):
                path = ARTIFACTS / f"{_artifact_name(request.node)}-{index}-{page_index}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception as exc:  # a crashed page must not hide the test's own failure
                    print(f"screenshot failed: {exc}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, email, password=PASSWORD):
    response = page.goto("/accounts/login/")
    # A failure here shows what the server answered instead of a bare wait for a field that never came.
    assert response.ok, f"The sign-in page answered {response.status}: {page.inner_text('body')[:500]}"
    page.get_by_label(re.compile(r"^Email")).fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(password)
    page.get_by_role("button", name=re.compile("Sign In", re.I)).click()
    page.wait_for_load_state("networkidle")
