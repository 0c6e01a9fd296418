"""Journey: a member writes a prompt, presses Ctrl+Enter and watches the frames arrive, then the finished image."""

import re

from playwright.sync_api import expect

from studio.generation.models import GenerationJob
from tests.generation.browser import generate, open_studio, record_socket_frames, slow_frames, studio_team

slow_frames()


def test_frames_arrive_one_by_one_then_the_finished_image(page):
    team, member = studio_team()
    frames = record_socket_frames(page)
    open_studio(page, member.email)
    expect(page.get_by_text("Make something")).to_be_visible()
    expect(page.get_by_test_id("cost")).to_contain_text("Free")

    generate(page, 'A summer poster that says "Fresh lemonade"')
    expect(page.get_by_test_id("frame-progress")).to_have_text(re.compile(r"Frame [123] of 3"))
    expect(page.get_by_test_id("partial-frame")).to_be_visible()
    expect(page.locator("#studio-stage .job-status")).to_have_attribute("data-job-status", "succeeded")
    result = page.get_by_test_id("result-image")
    expect(result).to_be_visible()
    assert result.evaluate("image => image.complete && image.naturalWidth > 0")

    # Each frame reached the page in order, pushed by the worker, before the final images.
    shown = [int(m.group(1)) for frame in frames for m in [re.search(r"Frame (\d) of 3", frame)] if m]
    assert shown == sorted(shown) and {1, 2, 3} <= set(shown)
    assert 'data-job-status="succeeded"' in frames[-1]
    job = GenerationJob.objects.get(team=team)
    assert job.partial_count == 3 and job.job_outputs.count() == 1
    expect(page.locator("#recent-strip img").first).to_be_visible()
    assert page.console_errors == []
