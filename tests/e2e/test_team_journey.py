"""Issue 2's journey: sign up, create a team, invite, accept, change the active model, and roles in the studio."""

import re

from playwright.sync_api import expect

from studio.teams.models import Membership
from tests.e2e.conftest import PASSWORD, log_in
from tests.factories import MembershipFactory, UserFactory


def sign_up(page, email, path="/accounts/signup/"):
    page.goto(path)
    page.get_by_label(re.compile(r"^Email")).fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()


def invite(page, email, role):
    page.goto("/team/")
    page.get_by_label("Email", exact=False).first.fill(email)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Send invitation").click()
    link = page.get_by_label(f"Invitation link for {email}")
    expect(link).to_be_visible()
    return link.input_value()


def test_an_owner_invites_a_member_who_accepts_and_sees_the_active_model_the_owner_chose(new_page):
    owner = new_page()
    sign_up(owner, "olivia@example.com")
    owner.get_by_label("Team name").fill("Harbor Coffee")
    owner.get_by_role("button", name="Create team").click()
    expect(owner.get_by_test_id("current-team")).to_have_text("Harbor Coffee")

    link = invite(owner, "marco@example.com", "member")
    path = re.sub(r"^https?://[^/]+", "", link)

    member = new_page()
    member.goto(path)
    member.get_by_role("link", name="Create an account").click()
    sign_up(member, "marco@example.com", path=member.url)
    member.get_by_role("button", name=re.compile("Accept and join Harbor Coffee")).click()
    expect(member.get_by_test_id("current-team")).to_have_text("Harbor Coffee")
    assert Membership.objects.get(user__email="marco@example.com").role == "member"

    owner.goto("/team/models/")
    owner.get_by_role("checkbox", name="GPT Image 2", exact=True).check()
    owner.get_by_label("Make GPT Image 2 the active model").check()
    owner.get_by_role("button", name="Save model settings").click()
    expect(owner.get_by_role("status").or_(owner.locator(".flash")).first).to_be_visible()

    member.goto("/studio/")
    expect(member.get_by_label("Model", exact=True)).to_have_value("openai:gpt-image-2")
    assert member.console_errors == []


def test_a_viewer_sees_the_studio_but_not_the_generate_form(page, team):
    viewer = MembershipFactory(team=team, role="viewer", user=UserFactory(email="vera@example.com")).user
    log_in(page, viewer.email)
    page.goto("/studio/")
    expect(page.get_by_role("button", name=re.compile("^Generate"))).to_have_count(0)
    expect(page.get_by_label("Prompt")).to_have_count(0)
    expect(page.get_by_text(re.compile("viewer", re.I)).first).to_be_visible()
