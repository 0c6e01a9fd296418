"""Journeys where the Studio says no: too few credits, a custom size the model cannot make, a viewer's role."""

from playwright.sync_api import expect

from studio.credits.models import Hold, Wallet
from studio.generation.models import GenerationJob
from studio.generation.services import generation_submit
from tests.e2e.conftest import log_in
from tests.factories import MembershipFactory
from tests.generation.browser import open_studio, slow_frames, studio_team, wait_for_job

slow_frames()


def test_too_few_credits_are_explained_beside_generate_and_nothing_is_reserved(page):
    team, member = studio_team(credits=3, draft_price=5)
    open_studio(page, member.email)
    page.get_by_label("Prompt").fill("A neon diner at night")
    message = "This needs 5 credits and the team has 3. Use Request credits at the top of the page to ask for more."
    expect(page.locator("#err-credits")).to_have_text(message)
    expect(page.get_by_test_id("cost")).to_contain_text("5 credits")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#err-credits")).to_have_text(message)
    expect(page.get_by_text("Make something")).to_be_visible()
    assert not GenerationJob.objects.filter(team=team).exists()
    assert not Hold.objects.filter(wallet__team=team).exists()
    assert Wallet.objects.get(team=team).balance == 3
    assert page.console_errors == []


def test_a_custom_size_the_model_cannot_make_is_explained_in_words(page):
    team, member = studio_team()
    open_studio(page, member.email)
    page.get_by_label("Prompt").fill("A wide banner of rolling hills")
    page.locator("label.chip-aspect", has_text="Custom").click()
    page.get_by_label("Width").fill("1000")
    page.get_by_label("Height").fill("700")
    rule = "Both edges must be multiples of 16 (1000 and 700 are not)."
    expect(page.locator("#err-size")).to_have_text(rule)
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#err-size")).to_have_text(rule)
    page.get_by_label("Width").fill("1536")
    page.get_by_label("Height").fill("1024")
    expect(page.locator("#err-size")).to_have_text("")
    expect(page.locator("#size-readout")).to_contain_text("1536 × 1024 px")
    assert not GenerationJob.objects.filter(team=team).exists()
    assert page.console_errors == []


def test_a_viewer_sees_the_teams_results_but_cannot_generate(page):
    team, member = studio_team()
    viewer = MembershipFactory(team=team, role="viewer").user
    job = generation_submit(team=team, user=member, data={"prompt": "A red kite over dunes", "quality": "low"})
    assert wait_for_job(job).status == GenerationJob.Status.SUCCEEDED

    log_in(page, viewer.email)
    page.goto("/studio/")
    expect(page.get_by_test_id("viewer-note")).to_contain_text(
        "To generate, ask an admin of the team to make you a Member."
    )
    expect(page.locator("#generate-form")).to_have_count(0)
    expect(page.get_by_test_id("result-image")).to_be_visible()
    expect(page.get_by_test_id("download")).to_be_visible()
    expect(page.locator("#studio-stage").get_by_role("link", name="Refine")).to_have_count(0)
    assert page.console_errors == []
