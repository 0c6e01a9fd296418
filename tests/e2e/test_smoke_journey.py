import re

from playwright.sync_api import expect

from studio.teams.models import Membership
from tests.e2e.conftest import PASSWORD


def test_a_new_user_signs_up_and_creates_a_team(page):
    page.goto("/")
    page.get_by_role("link", name=re.compile("Sign up", re.I)).click()
    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    expect(page.get_by_role("heading", name="Create a team")).to_be_visible()
    page.get_by_label("Team name").fill("Northwind Marketing")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_test_id("current-team")).to_have_text("Northwind Marketing")
    assert Membership.objects.get(user__email="maya@example.com").role == "owner"
    assert page.console_errors == []
