"""Journey by keyboard alone: a skip link, every Studio control reachable by Tab with a visible focus and never
behind the sticky Generate bar, Generate, then the focus on the new job's status; the shortcuts listed."""

from playwright.sync_api import expect

from tests.generation.browser import open_studio, slow_frames, studio_team, wait_until_done

slow_frames()

# What the focused element looks like: its own outline, or (a chip's hidden radio) its label's.
FOCUS_FACTS = """() => {
  const el = document.activeElement;
  const shown = el.closest("label.chip, .segmented label") || el;
  const style = getComputedStyle(shown);
  const box = shown.getBoundingClientRect();
  const bar = document.querySelector(".generate-bar").getBoundingClientRect();
  return {
    name: (el.getAttribute("aria-label") || el.textContent || el.name || el.id || el.tagName).trim().slice(0, 60),
    tag: el.tagName,
    inBar: !!el.closest(".generate-bar"),
    inControls: !!el.closest(".studio-controls"),
    outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    top: box.top, bottom: box.bottom, barTop: bar.top,
  };
}"""


def test_the_keyboard_reaches_every_control_and_generate_moves_the_focus_to_the_status(page):
    team, member = studio_team()
    open_studio(page, member.email)
    page.set_viewport_size({"width": 1280, "height": 800})

    skip = page.get_by_role("link", name="Skip to content")
    skip.focus()
    expect(skip).to_be_in_viewport()  # shown once it has the focus

    page.get_by_label("Prompt").fill('A lemonade stand that says "Fresh"')
    seen = []
    for _ in range(120):
        page.keyboard.press("Tab")
        facts = page.evaluate(FOCUS_FACTS)
        if not facts["inControls"]:
            break
        seen.append(facts)
        assert facts["outlined"], f"no visible focus on {facts['name']}"
        if not facts["inBar"]:
            assert facts["bottom"] <= facts["barTop"] + 1, f"{facts['name']} is behind the Generate bar"
        if facts["name"] == "Generate":
            break
    names = [facts["name"] for facts in seen]
    for control in ("Upload…", "From library…", "Generate"):
        assert control in names, (control, names)
    assert names.index("Upload…") < names.index("Generate")

    page.keyboard.press("Enter")
    status = page.locator("#studio-stage .job-status")
    expect(status).to_be_focused()
    wait_until_done(page)
    expect(page.locator("#studio-stage .job-status")).to_be_focused()  # the pushes kept it there
    assert page.console_errors == []


def test_the_shortcuts_are_listed_and_ctrl_enter_generates_from_anywhere(page):
    team, member = studio_team()
    open_studio(page, member.email)

    page.get_by_role("button", name="All shortcuts").click()
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts.get_by_test_id("shortcut-list")).to_contain_text("Generate")
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    expect(page.get_by_role("button", name="All shortcuts")).to_be_focused()

    page.get_by_label("Prompt").fill("A quiet harbour at dawn")
    page.locator("#studio-stage").click()  # focus leaves the form
    page.keyboard.press("?")
    expect(shortcuts).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#studio-stage .job-prompt")).to_have_text("A quiet harbour at dawn")
    assert page.console_errors == []
