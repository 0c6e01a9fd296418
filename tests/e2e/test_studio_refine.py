"""Journey: generate, refine the result, refine that result: the page shows the thread of three."""

from playwright.sync_api import expect

from studio.generation.models import GenerationJob
from tests.generation.browser import generate, open_studio, slow_frames, studio_team, wait_until_done

slow_frames()


def _refine(page, instruction):
    page.locator("#studio-stage").get_by_role("link", name="Refine").first.click()
    box = page.get_by_label("Refine this image")
    expect(box).to_be_focused()
    box.fill(instruction)
    with page.expect_response("**/studio/refine/**"):
        page.get_by_role("button", name="Refine", exact=True).click()
    expect(page.locator("#studio-stage .job-prompt")).to_have_text(instruction)
    wait_until_done(page)


def test_refining_twice_shows_a_thread_of_three(page):
    team, member = studio_team()
    open_studio(page, member.email)
    generate(page, "A cabin in a snowy pine forest")
    wait_until_done(page)

    _refine(page, "Warm light in the windows")
    _refine(page, "Make it blue hour")

    steps = page.locator("#studio-stage .thread-step")
    expect(steps).to_have_count(3)
    expect(steps.locator("strong")).to_have_text(["Original", "Refinement 1", "Refinement 2"])
    expect(steps.locator(".thread-prompt")).to_have_text(
        ["A cabin in a snowy pine forest", "Warm light in the windows", "Make it blue hour"]
    )
    expect(steps.locator("img")).to_have_count(3)
    last = GenerationJob.objects.filter(team=team).order_by("-submitted_at").first()
    assert last.parent.parent is not None and last.parent.parent.parent is None
    assert page.console_errors == []
