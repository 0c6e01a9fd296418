import pytest

from library.models import Asset
from studio.credits.models import LedgerEntry, Wallet
from studio.engines.types import EngineError, Final, PartialFrame
from studio.generation import services
from studio.generation.models import GenerationJob
from studio.generation.services import generation_claim, generation_run, generation_submit
from tests.generation.factories import source_png

pytestmark = pytest.mark.django_db


def _submit(team, user, **overrides):
    data = {"model_id": "local:draft", "prompt": 'A poster that says "Summer sale"', "quality": "low", "n": 2}
    data.update(overrides)
    return generation_submit(team=team, user=user, data=data)


def _entries(job, kind):
    return list(LedgerEntry.objects.filter(hold=job.hold, kind=kind).order_by("id"))


class _StubEngine:
    """An engine that plays back a script of events; what a provider might do, without the network."""

    def __init__(self, events):
        self.events = events

    def run(self, request, *, api_key=None):
        for event in self.events:
            if isinstance(event, Exception):
                raise event
            if callable(event):
                event()
                continue
            yield event


def _frame(index):
    return PartialFrame(index=index, image=source_png(64, 64))


def test_a_job_streams_frames_then_its_images_become_library_assets(team, member, grant, priced_draft):
    grant(team, 100)
    job = _submit(team, member, partial_images=3)
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.SUCCEEDED
    assert job.partial_count == 3
    assert job.latest_frame  # kept, so a page opened late can show the last frame
    assert job.response_id.startswith("draft_")
    outputs = [output.asset for output in job.job_outputs.order_by("position")]
    assert len(outputs) == 2
    provenance = outputs[0].provenance
    assert provenance["prompt"] == 'A poster that says "Summer sale"'
    assert provenance["model_id"] == "local:draft"
    assert provenance["parameters"]["n"] == 2
    assert provenance["seed"] == job.seed
    assert provenance["job_id"] == str(job.uuid)
    assert provenance["cost"] == 5
    assert provenance["timings"]["total_ms"] is not None
    assert all(asset.source == Asset.Source.GENERATED and asset.team == team for asset in outputs)


def test_credits_are_captured_per_image_made_and_the_rest_released(team, member, grant, priced_draft, monkeypatch):
    grant(team, 100)
    job = _submit(team, member, n=3)
    assert job.credits_estimated == 15
    one_image = _StubEngine([_frame(0), Final(images=(source_png(64, 64),), response_id="resp_1")])
    monkeypatch.setattr(services, "_engine_for", lambda model_id: one_image)
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    wallet = Wallet.objects.get(team=team)
    assert job.status == GenerationJob.Status.SUCCEEDED
    assert job.credits_captured == 5
    assert [entry.amount for entry in _entries(job, "capture")] == [5]
    assert [entry.amount for entry in _entries(job, "release")] == [10]
    assert (wallet.balance, wallet.held) == (95, 0)


def test_a_failing_engine_fails_the_job_with_its_message_and_releases_everything(
    team, member, grant, priced_draft, monkeypatch
):
    grant(team, 100)
    job = _submit(team, member)
    refused = EngineError(EngineError.MODERATION, "OpenAI declined this prompt under its content policy.")
    monkeypatch.setattr(services, "_engine_for", lambda model_id: _StubEngine([_frame(0), refused]))
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    wallet = Wallet.objects.get(team=team)
    assert job.status == GenerationJob.Status.FAILED
    assert job.error_kind == "moderation"
    assert job.error_message == "OpenAI declined this prompt under its content policy."
    assert not job.job_outputs.exists()
    assert _entries(job, "capture") == []
    assert [entry.amount for entry in _entries(job, "release")] == [10]
    assert (wallet.balance, wallet.held) == (100, 0)


def test_an_unexpected_error_fails_the_job_with_a_plain_message(team, member, grant, priced_draft, monkeypatch):
    grant(team, 100)
    job = _submit(team, member)
    monkeypatch.setattr(services, "_engine_for", lambda model_id: _StubEngine([ZeroDivisionError("boom")]))
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert "boom" not in job.error_message
    assert job.error_message.startswith("Something went wrong")
    assert Wallet.objects.get(team=team).balance == 100


def test_a_second_delivery_claims_nothing_and_changes_nothing(team, member, grant, priced_draft):
    grant(team, 100)
    job = _submit(team, member)
    generation_run(job_id=job.pk)
    entries = LedgerEntry.objects.count()
    assert generation_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.attempts == 1
    assert job.job_outputs.count() == 2
    assert LedgerEntry.objects.count() == entries


def test_a_running_job_with_a_live_worker_cannot_be_claimed_twice(team, member):
    job = _submit(team, member)
    assert generation_claim(job_id=job.pk) is not None
    assert generation_claim(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.RUNNING
    assert job.attempts == 1


def test_a_delivery_that_finds_the_job_heartbeating_waits_until_that_heartbeat_would_be_stale(team, member, settings):
    settings.POSTFRAME_JOB_STALE_SECONDS = 30
    job = _submit(team, member)
    generation_claim(job_id=job.pk)
    assert generation_run(job_id=job.pk) is None  # another run holds it and beat just now

    wait = services.generation_takeover_wait(job_id=job.pk)
    assert 29 < wait <= 30 + services.TAKEOVER_MARGIN_SECONDS
    job.refresh_from_db()
    assert (job.status, job.attempts) == (GenerationJob.Status.RUNNING, 1)


def test_there_is_nothing_to_wait_for_once_a_job_ended_or_used_its_attempts(team, member, grant, priced_draft):
    grant(team, 100)
    finished = _submit(team, member)
    generation_run(job_id=finished.pk)
    assert services.generation_takeover_wait(job_id=finished.pk) is None
    assert services.generation_takeover_wait(job_id=10**9) is None

    exhausted = _submit(team, member)
    generation_claim(job_id=exhausted.pk)
    GenerationJob.objects.filter(pk=exhausted.pk).update(attempts=services.MAX_ATTEMPTS)
    assert services.generation_takeover_wait(job_id=exhausted.pk) is None


def test_a_redelivered_job_whose_worker_died_is_claimed_again_and_finishes(team, member, grant, priced_draft):
    from datetime import timedelta

    from django.utils import timezone

    grant(team, 100)
    job = _submit(team, member)
    generation_claim(job_id=job.pk)
    GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.SUCCEEDED
    assert job.attempts == 2
    assert [entry.amount for entry in _entries(job, "capture")] == [5, 5]


def test_a_run_that_was_cancelled_mid_stream_stops_and_keeps_nothing(team, member, grant, priced_draft, monkeypatch):
    grant(team, 100)
    job = _submit(team, member)

    def cancel():
        services.generation_cancel(team=team, user=member, job=job)

    script = [_frame(0), cancel, _frame(1), Final(images=(source_png(64, 64),) * 2)]
    monkeypatch.setattr(services, "_engine_for", lambda model_id: _StubEngine(script))
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.CANCELLED
    assert not job.job_outputs.exists()
    assert _entries(job, "capture") == []
    assert [entry.amount for entry in _entries(job, "release")] == [10]
    assert Wallet.objects.get(team=team).balance == 100


def test_a_reference_removed_before_the_run_fails_the_job_clearly(team, member, upload):
    source = upload(team, member)
    job = _submit(team, member, n=1, references=[{"asset_id": source.pk, "role": "style"}])
    Asset.objects.filter(pk=source.pk).delete()
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert job.error_message == "Image 1 was removed from the library before the job started."


def test_a_finished_image_shows_at_once_from_its_original_then_from_its_renditions(
    team, member, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from library import services as library_services
    from library.tasks import asset_renditions_remake

    queued = []
    monkeypatch.setattr(library_services, "_renditions_enqueue", queued.append)
    job = _submit(team, member, n=1)
    with django_capture_on_commit_callbacks(execute=True):
        generation_run(job_id=job.pk)
    asset = Asset.objects.get(job_outputs__job=job)
    client = client_for(member)
    files = f"/library/assets/{asset.pk}/files"

    # The tile and preview are made after the job ends; meanwhile the page shows the original image.
    assert not asset.thumb and not asset.preview
    assert queued == [asset.pk]
    assert f'src="{files}/original/"' in client.get(f"/studio/?job={job.uuid}").content.decode()
    assert f'src="{files}/original/"' in client.get("/studio/recent/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        asset_renditions_remake(asset.pk)
    assert f'src="{files}/preview/"' in client.get(f"/studio/?job={job.uuid}").content.decode()
    assert f'src="{files}/thumb/"' in client.get("/studio/recent/").content.decode()
    assert client.get(f"{files}/thumb/")["Content-Type"] == "image/webp"
