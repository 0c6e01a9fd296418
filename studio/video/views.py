"""Video pages: the sequences and a brief form, one sequence's shot list and live shots, edits, run, retry, cancel;
and the providers' callback address, which only queues a confirming lookup."""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from studio.core.http import form_errors_text, form_refused, method_refusal, toast
from studio.teams.permissions import can, team_required
from studio.video import selectors, services
from studio.video.forms import BriefForm, ShotForm, shot_field_id

# What a move, add or delete swaps: the shot list in place, and out of band what counts its shots.
SHOT_LIST_OOB = ("sequence-summary", "sequence-live", "sequence-cost")


def _cards(request, sequence, shots, forms=None):
    forms = forms or {}
    cards = []
    for shot in shots:
        card = selectors.shot_card(shot)
        if sequence.editable and can(request.membership, "edit"):
            card["form"] = forms.get(shot.pk) or ShotForm(shot=shot, team=request.team)
        cards.append(card)
    return cards


def _page(request, sequence):
    """What the sequence page and its swapped regions show: the status, the shot cards and, while a draft, the cost."""
    shots = selectors.shots_of(sequence)
    return {
        **selectors.sequence_context(sequence),
        "cards": _cards(request, sequence, shots),
        "cost": services.shots_cost(team=request.team, shots=shots) if sequence.editable else None,
        "can_edit": can(request.membership, "generate"),
    }


def _shot_list(request, sequence_id, *, focus, message=None, refusal=None):
    """The shot list after a move, add or delete (or a refusal, shown where it was asked), for htmx to swap; the
    page's script moves the focus to the element id `focus` once it settles, and the toast announces `message`."""
    sequence = selectors.sequence_get(request.team, sequence_id)
    context = {**_page(request, sequence), "refusal": refusal}
    html = render_to_string("video/sequence.html#shot-list", context, request)
    html += "".join(
        render_to_string(f"video/sequence.html#{part}", {**context, "oob": True}, request) for part in SHOT_LIST_OOB
    )
    response = HttpResponse(html, status=409 if refusal else 200)
    trigger_client_event(response, "video-shots-changed", {"focus": focus}, after="settle")
    return toast(response, message) if message else response


def _shot_list_changed(request, sequence_id, *, message, focus, anchor=""):
    if request.htmx:
        return _shot_list(request, sequence_id, focus=focus, message=message)
    messages.success(request, message)
    return redirect(reverse("video_sequence", args=[sequence_id]) + anchor)


def _shot_list_refused(request, sequence_id, error, *, shot=None, anchor=""):
    text = " ".join(str(message) for message in error.errors.values())
    if request.htmx:
        focus = f"shot-{shot.pk}-refusal" if shot else f"sequence-{sequence_id}-refusal"
        refusal = {"shot": shot.pk if shot else None, "message": text}
        return _shot_list(request, sequence_id, focus=focus, refusal=refusal)
    messages.error(request, text)
    return redirect(reverse("video_sequence", args=[sequence_id]) + anchor)


@team_required("view")
def sequence_list(request):
    form = BriefForm(request.POST or None, team=request.team)
    if request.method == "POST":
        if not can(request.membership, "edit"):
            return HttpResponse("Viewers cannot make sequences.", status=403)
        if form.is_valid():
            try:
                sequence = services.sequence_create(team=request.team, user=request.user, **form.cleaned_data)
                count = sequence.shots.count()
                note = sequence.note or "Edit the shots, then run the sequence."
                messages.success(request, f"Shot list ready: {count} shots. {note}")
                return redirect("video_sequence", sequence_id=sequence.pk)
            except services.VideoError as error:
                form_refused(form, error.errors)
    context = {
        "nav": "video",
        "form": form,
        "sequences": selectors.sequences_for(request.team)[:50],
        "can_edit": can(request.membership, "edit"),
    }
    return render(request, "video/list.html", context, status=422 if form.errors else 200)


@team_required("view")
def sequence_detail(request, sequence_id):
    sequence = selectors.sequence_get(request.team, sequence_id)
    if refused := method_refusal(request, "GET"):
        return refused
    return render(request, "video/sequence.html", {"nav": "video", **_page(request, sequence)})


@team_required("generate")
def sequence_start(request, sequence_id):
    sequence = selectors.sequence_get(request.team, sequence_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        cost = services.sequence_start(sequence=sequence, user=request.user)
        spent = f"{cost.total} credits held" if cost.total else "free on the offline animator"
        messages.success(request, f"The sequence is running ({spent}): shots update as they finish.")
    except services.VideoError as error:
        messages.error(request, " ".join(str(message) for message in error.errors.values()))
    return redirect("video_sequence", sequence_id=sequence.pk)


@team_required("edit")
def shot_edit(request, shot_id):
    shot = selectors.shot_get(request.team, shot_id)
    if refused := method_refusal(request, "POST"):
        return refused
    form = ShotForm(request.POST, shot=shot, team=request.team)
    status = 200
    if form.is_valid():
        try:
            shot = services.shot_update(shot=shot, data=form.cleaned_data)
            shot = selectors.shot_get(request.team, shot.pk)
            form = None
        except services.VideoError as error:
            form_refused(form, error.errors)
            status = 422
    else:
        status = 422
    if request.htmx:
        sequence = selectors.sequence_get(request.team, shot.sequence_id)
        card = _cards(request, sequence, [shot], {shot.pk: form} if form else None)[0]
        context = {"card": card, "sequence": sequence, "can_edit": True}
        if status != 200 and not sequence.editable:
            # Started meanwhile: the card has no form any more, so the refusal is said on the card itself.
            context["refusal"] = {"shot": shot.pk, "message": form_errors_text(form)}
            status = 409
        response = render(request, "video/sequence.html#shot-card", context, status=status)
        if status == 200:
            response["HX-Trigger"] = "video-cost-changed"
        return response
    if status != 200:
        messages.error(
            request,
            f"Shot {shot.position} was not saved: " + form_errors_text(form),
        )
    return redirect(reverse("video_sequence", args=[shot.sequence_id]) + f"#shot-{shot.pk}-card")


@team_required("view")
def shot_card(request, shot_id):
    shot = selectors.shot_get(request.team, shot_id)
    if refused := method_refusal(request, "GET"):
        return refused
    card = _cards(request, shot.sequence, [shot])[0]
    context = {"card": card, "sequence": shot.sequence, "can_edit": can(request.membership, "generate")}
    return render(request, "video/sequence.html#shot-card", context)


@team_required("view")
def sequence_cost(request, sequence_id):
    """The cost panel as it is now (htmx refreshes it after an edit)."""
    sequence = selectors.sequence_get(request.team, sequence_id)
    if refused := method_refusal(request, "GET"):
        return refused
    cost = services.sequence_cost(sequence=sequence) if sequence.editable else None
    context = {"sequence": sequence, "cost": cost, "can_edit": can(request.membership, "generate")}
    return render(request, "video/sequence.html#sequence-cost", context)


def _shot_action(request, shot_id, action):
    shot = selectors.shot_get(request.team, shot_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        message = action(shot)
        if message:
            messages.success(request, message)
    except services.VideoError as error:
        messages.error(request, " ".join(str(message) for message in error.errors.values()))
    url = reverse("video_sequence", args=[shot.sequence_id]) + f"#shot-{shot.pk}-card"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@team_required("edit")
def shot_move(request, shot_id):
    shot = selectors.shot_get(request.team, shot_id)
    if refused := method_refusal(request, "POST"):
        return refused
    up = request.POST.get("direction") == "up"
    was, anchor = shot.position, f"#shot-{shot.pk}-card"
    try:
        shot = services.shot_move(shot=shot, offset=-1 if up else 1)
    except services.VideoError as error:
        return _shot_list_refused(request, shot.sequence_id, error, shot=shot, anchor=anchor)
    if shot.position == was:
        message = f"Shot {was} is already the {'first' if up else 'last'}."
    else:
        message = f"Shot {was} moved {'up' if up else 'down'}: it is now shot {shot.position}."
    focus = f"shot-{shot.pk}-{'earlier' if up else 'later'}"
    return _shot_list_changed(request, shot.sequence_id, message=message, focus=focus, anchor=anchor)


@team_required("edit")
def shot_delete(request, shot_id):
    shot = selectors.shot_get(request.team, shot_id)
    if refused := method_refusal(request, "POST"):
        return refused
    sequence_id, anchor = shot.sequence_id, f"#shot-{shot.pk}-card"
    try:
        services.shot_delete(shot=shot)
    except services.VideoError as error:
        return _shot_list_refused(request, sequence_id, error, shot=shot, anchor=anchor)
    after = selectors.shot_at(shot.sequence, shot.position)
    focus = f"shot-{after.pk}-number" if after else f"sequence-{sequence_id}-add"
    message = f"Shot {shot.position} deleted."
    return _shot_list_changed(request, sequence_id, message=message, focus=focus, anchor=anchor)


@team_required("edit")
def shot_add(request, sequence_id):
    sequence = selectors.sequence_get(request.team, sequence_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        shot = services.shot_add(sequence=sequence, user=request.user)
    except services.VideoError as error:
        return _shot_list_refused(request, sequence.pk, error)
    message = f"Shot {shot.position} added: describe its frame and motion."
    return _shot_list_changed(request, sequence.pk, message=message, focus=shot_field_id(shot, "frame_prompt"))


@team_required("generate")
def shot_retry(request, shot_id):
    def retry(shot):
        services.shot_retry(shot=shot, user=request.user)
        return f"Shot {shot.position} is running again."

    return _shot_action(request, shot_id, retry)


@team_required("generate")
def shot_cancel(request, shot_id):
    def cancel(shot):
        services.shot_cancel(shot=shot, user=request.user)
        return f"Shot {shot.position} cancelled; its credits went back to the balance."

    return _shot_action(request, shot_id, cancel)


@csrf_exempt
def provider_callback(request, shot_uuid, token):
    """A provider's callback: nothing in it is trusted, it only makes the pipeline look the task up at once."""
    if refused := method_refusal(request, "POST"):
        return refused
    if not services.shot_callback(shot_uuid=shot_uuid, token=token):
        raise Http404("Not found")
    return JsonResponse({"ok": True})
