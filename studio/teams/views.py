"""Team pages: create and switch teams, members and invitations, models, provider keys, the audit log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from studio.core.http import post_only, toast
from studio.teams import selectors, services
from studio.teams.connections import ConnectionResult, provider_connection_test
from studio.teams.crypto import KeyStoreError
from studio.teams.forms import (
    AuditFilterForm,
    InvitationForm,
    ModelSettingsForm,
    OwnershipTransferForm,
    ProviderForm,
    RoleForm,
    TeamDeleteForm,
    TeamNameForm,
    VideoModelSettingsForm,
    provider_key_form,
)
from studio.teams.models import Invitation, Membership, Provider, Role
from studio.teams.permissions import can, team_required
from studio.teams.scoping import get_scoped_or_404

AUDIT_PAGE_SIZE = 25


def _in_team(request, invitation_id=None, member_id=None, **_):
    """The URL's invitation or member, looked up in the team scope (404 otherwise): post_only's lookup."""
    if invitation_id is not None:
        get_scoped_or_404(Invitation, request.team, pk=invitation_id)
    if member_id is not None:
        get_scoped_or_404(Membership, request.team, pk=member_id)


# Create and switch ------------------------------------------------------------------------------------------


@login_required
def team_create(request):
    form = TeamNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(owner=request.user, name=form.cleaned_data["name"])
        services.team_switch(request=request, team_id=team.id)
        messages.success(request, f"{team.name} is ready. You are its owner.")
        return redirect("studio")
    return render(request, "teams/create.html", {"form": form})


@login_required
@require_POST
def team_switch(request):
    try:
        team = services.team_switch(request=request, team_id=request.POST.get("team"))
    except (services.TeamError, ValueError):
        messages.error(request, "You are not a member of that team.")
        return redirect("home")
    messages.info(request, f"Switched to {team.name}.")
    return redirect("home")


# Overview: members and invitations --------------------------------------------------------------------------


def _overview(request, partial=None, **extra):
    """The overview page, or just one of its regions for an htmx request."""
    team, membership = request.team, request.membership
    manage = can(membership, "manage_members")
    context = {
        "nav": "team",
        "tab": "overview",
        "rows": selectors.member_rows(team, membership),
        "manage": manage,
        "invitations": selectors.pending_invitations(team) if manage else [],
        "name_form": TeamNameForm(initial={"name": team.name}),
        "invite_form": InvitationForm(),
        "role_choices": RoleForm.base_fields["role"].choices,
        **extra,
    }
    template = f"teams/settings.html#{partial}" if partial and request.htmx else "teams/settings.html"
    return render(request, template, context)


@team_required("view")
def team_settings(request):
    return _overview(request)


@team_required("manage_members")
@require_POST
def team_rename(request):
    form = TeamNameForm(request.POST)
    if form.is_valid():
        try:
            team = services.team_rename(actor_membership=request.membership, name=form.cleaned_data["name"])
        except services.TeamError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"The team is now called {team.name}.")
            if request.htmx:
                return HttpResponseClientRedirect(reverse("team_settings"))
            return redirect("team_settings")
    return _overview(request, "team-name", name_form=form)


@team_required("manage_members")
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, token = services.invitation_create(actor_membership=request.membership, **form.cleaned_data)
        except services.TeamError as exc:
            form.add_error("email", str(exc))
        else:
            link = services.invitation_link(token)
            response = _overview(request, "invitations", new_invitation=invitation, new_link=link)
            return toast(response, f"Invitation sent to {invitation.email}.")
    return _overview(request, "invitations", invite_form=form)


@team_required("manage_members")
@post_only(lookup=_in_team)
def invitation_revoke(request, invitation_id):
    invitation = get_scoped_or_404(Invitation, request.team, pk=invitation_id)
    try:
        services.invitation_revoke(actor_membership=request.membership, invitation=invitation)
    except services.TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The invitation of {invitation.email} is revoked; its link no longer works.")
    return redirect("team_settings")


@team_required("manage_members")
@post_only(lookup=_in_team)
def member_role(request, member_id):
    target = get_scoped_or_404(Membership.objects.select_related("user"), request.team, pk=member_id)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise services.TeamError(form.errors["role"][0])
        services.membership_role_change(
            actor_membership=request.membership, membership=target, role=form.cleaned_data["role"]
        )
    except services.TeamError as exc:
        if not request.htmx:
            messages.error(request, str(exc))
            return redirect("team_settings")
        return _overview(request, "members", error_member_id=target.pk, error_message=str(exc))
    done = f"{target.user.email} is now {Role(form.cleaned_data['role']).label}."
    if not request.htmx:
        messages.success(request, done)
        return redirect("team_settings")
    return toast(_overview(request, "members"), done)


@team_required("manage_members")
@post_only(lookup=_in_team)
def member_remove(request, member_id):
    target = get_scoped_or_404(Membership.objects.select_related("user"), request.team, pk=member_id)
    try:
        services.membership_remove(actor_membership=request.membership, membership=target)
    except services.TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{target.user.email} is no longer a member of {request.team.name}.")
    return redirect("team_settings")


@team_required("view")
@require_POST
def team_leave(request):
    team = request.team
    try:
        services.membership_leave(membership=request.membership)
    except services.TeamError as exc:
        messages.error(request, str(exc))
        return redirect("team_settings")
    messages.success(request, f"You left {team.name}.")
    # The middleware falls back to the user's oldest remaining team, or home sends them to create one.
    return redirect("home")


# Ownership and deletion -------------------------------------------------------------------------------------


@team_required("transfer_ownership")
def ownership_transfer(request):
    form = OwnershipTransferForm(request.POST or None, candidates=selectors.transfer_candidates(request.team))
    if request.method == "POST" and form.is_valid():
        try:
            new_owner = services.ownership_transfer(
                actor_membership=request.membership, new_owner=form.cleaned_data["new_owner"]
            )
        except services.TeamError as exc:
            form.add_error("new_owner", str(exc))
        else:
            messages.success(request, f"{new_owner.user.email} now owns {request.team.name}. You are an admin.")
            return redirect("team_settings")
    return render(request, "teams/transfer.html", {"nav": "team", "tab": "overview", "form": form})


@team_required("delete_team")
def team_delete(request):
    team = request.team
    form = TeamDeleteForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_delete(actor_membership=request.membership, confirm_name=form.cleaned_data["confirm_name"])
        except services.TeamError as exc:
            form.add_error("confirm_name", str(exc))
        else:
            messages.success(request, f"{team.name} and everything in it were deleted.")
            return redirect("home")
    context = {"nav": "team", "tab": "overview", "form": form, "summary": selectors.team_summary(team)}
    return render(request, "teams/delete.html", context, status=400 if form.errors else 200)


# Models -----------------------------------------------------------------------------------------------------


def _models_page(request, form=None, video_form=None):
    form = form or ModelSettingsForm()
    video_form = video_form or VideoModelSettingsForm()
    context = {
        "nav": "team",
        "tab": "models",
        "form": form,
        "options": selectors.model_options(request.team, chosen=form.data if form.is_bound else None),
        "video_form": video_form,
        "video_options": selectors.video_model_options(
            request.team, chosen=video_form.data if video_form.is_bound else None
        ),
        "missing_keys": selectors.models_needing_a_key(request.team),
    }
    return render(request, "teams/models.html", context, status=400 if form.errors or video_form.errors else 200)


@team_required("manage_models")
def team_models(request):
    form = ModelSettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_models_update(actor_membership=request.membership, **form.cleaned_data)
        except services.TeamError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Model settings saved.")
            return redirect("team_models")
    return _models_page(request, form=form)


@team_required("manage_models")
@require_POST
def team_video_models(request):
    video_form = VideoModelSettingsForm(request.POST)
    if video_form.is_valid():
        try:
            services.team_video_models_update(actor_membership=request.membership, **video_form.cleaned_data)
        except services.TeamError as exc:
            video_form.add_error(None, str(exc))
        else:
            messages.success(request, "Video model settings saved.")
            return redirect("team_models")
    return _models_page(request, video_form=video_form)


# Provider keys ----------------------------------------------------------------------------------------------


def _keys_page(request, bound_form=None, status=200):
    forms = {p.value: provider_key_form(p.value) for p in Provider}
    if bound_form is not None:
        forms[bound_form.prefix] = bound_form
    states = [(state, forms[state.provider]) for state in selectors.provider_key_states(request.team)]
    return render(request, "teams/keys.html", {"nav": "team", "tab": "keys", "states": states}, status=status)


def _provider_from(request):
    form = ProviderForm(request.POST)
    return form.cleaned_data["provider"] if form.is_valid() else None


@team_required("manage_keys")
def provider_keys(request):
    return _keys_page(request)


@team_required("manage_keys")
@require_POST
def provider_key_set(request):
    provider = _provider_from(request)
    if provider is None:
        messages.error(request, "Unknown provider.")
        return redirect("provider_keys")
    form = provider_key_form(provider, request.POST)
    if form.is_valid():
        try:
            key = services.provider_key_set(
                actor_membership=request.membership,
                provider=provider,
                api_key=form.cleaned_data["api_key"],
                secret_key=form.cleaned_data.get("secret_key", ""),
            )
        except services.TeamError as exc:
            form.add_error("api_key", str(exc))
        else:
            messages.success(request, f"{Provider(provider).label} key ending {key.last_four} saved.")
            return redirect("provider_keys")
    return _keys_page(request, bound_form=form, status=400)


@team_required("manage_keys")
@require_POST
def provider_key_remove(request):
    provider = _provider_from(request)
    try:
        if provider is None:
            raise services.TeamError("Unknown provider.")
        services.provider_key_remove(actor_membership=request.membership, provider=provider)
    except services.TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The team's {Provider(provider).label} key was removed.")
    return redirect("provider_keys")


@team_required("manage_keys")
@require_POST
def provider_key_test(request):
    form = ProviderForm(request.POST)
    if not form.is_valid():
        refused = ConnectionResult(False, form.errors["provider"][0])
        return render(request, "teams/keys.html#test-result", {"result": refused, "provider": ""}, status=400)
    provider = form.cleaned_data["provider"]
    try:
        api_key = selectors.provider_key_for(team=request.team, provider=provider)
    except KeyStoreError as exc:
        result = ConnectionResult(False, f"{exc} Replace the key, or ask the operator about the Fernet keys.")
    else:
        result = provider_connection_test(provider=provider, api_key=api_key)
    context = {"result": result, "provider": provider}
    if request.htmx:
        return render(request, "teams/keys.html#test-result", context)
    messages.add_message(request, messages.SUCCESS if result.ok else messages.ERROR, result.message)
    return redirect("provider_keys")


# Audit log --------------------------------------------------------------------------------------------------


@team_required("view_audit")
def audit_log(request):
    form = AuditFilterForm(request.GET or None, actions=selectors.audit_action_choices(request.team))
    action = form.cleaned_data["action"] if form.is_valid() else None
    page = Paginator(selectors.team_audit(request.team, action=action), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"nav": "team", "tab": "audit", "form": form, "page": page, "action": action or ""}
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "teams/audit.html#entries" if partial else "teams/audit.html", context)


# Accepting an invitation ------------------------------------------------------------------------------------


def invitation_accept(request, token):
    """Open to everyone holding the link: the token, not a team, is what grants access to this page."""
    invitation = selectors.invitation_by_token(token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.invitation_accept(user=request.user, token=token)
        except services.InvitationError as exc:
            problem = exc
        else:
            services.team_switch(request=request, team_id=membership.team_id)
            messages.success(
                request, f"Welcome to {membership.team.name}. You joined as {membership.get_role_display()}."
            )
            return redirect("home")
    else:
        problem = services.invitation_problem(invitation, request.user if request.user.is_authenticated else None)
    status = {"unknown": 404, "expired": 410, "revoked": 410, "used": 410, "wrong_email": 403}
    context = {"invitation": invitation, "problem": problem, "token": token, "next": request.path}
    return render(request, "teams/invitation.html", context, status=status.get(getattr(problem, "reason", ""), 200))
