"""The home page, health endpoint and the honest placeholders of sections not built yet."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from studio.core.health import health_report
from studio.teams.permissions import team_required

SECTIONS = {
    "studio": ("Studio", "Write a prompt, add references and a mask, and watch your images arrive frame by frame."),
    "library": ("Library", "Every asset your team makes or uploads, with how it was made."),
    "influencers": ("Influencers", "Lock a character's identity once and generate a whole series without drift."),
    "slides": ("Slides", "Turn one brief into a 10-slide carousel with typography that reads."),
    "video": ("Video", "Hand a shot list's frames to Kling or Seedance and collect the clips."),
    "schedule": ("Schedule", "Compose, approve and schedule posts across channels, published exactly once."),
}


def home(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.team is None:
        return redirect("team_create")
    return redirect("studio")


@team_required("view")
def section_not_built(request, section):
    title, promise = SECTIONS[section]
    return render(request, "core/not_built.html", {"section": section, "title": title, "promise": promise})


@team_required("view")
def help_page(request):
    """How the studio works in a page: its sections and keyboard shortcuts."""
    return render(request, "core/help.html", {"nav": "help", "sections": SECTIONS.values()})


@require_GET
@never_cache
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)
