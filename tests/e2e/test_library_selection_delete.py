"""Journey: deleting a selection asks once, in the studio's own dialog, and "Keep them" keeps them."""

from playwright.sync_api import expect

from library.models import Asset
from tests.e2e.library_browser import library_team, make_asset, open_library, select_assets


def test_a_selection_is_deleted_after_one_question_in_the_dialog(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    for hue, name in enumerate(["Lemon stand", "Beach towel", "Sunset pier"]):
        make_asset(team, member, name, prompt=f"{name}, summer campaign", hue=hue / 3)
    open_library(page, member.email)

    select_assets(page, "Lemon stand", "Sunset pier")
    page.locator("#selection-form").get_by_role("button", name="Delete…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete the selected assets?")
    dialog.get_by_role("button", name="Keep them").click()
    expect(dialog).to_be_hidden()
    assert Asset.objects.filter(team=team).count() == 3

    page.locator("#selection-form").get_by_role("button", name="Delete…").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Deleted 2 assets.")
    assert list(Asset.objects.filter(team=team).values_list("name", flat=True)) == ["Beach towel"]
