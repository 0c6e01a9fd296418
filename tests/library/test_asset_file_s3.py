"""Asset files on S3-compatible storage, against a real S3 server started by the test (moto's standalone server)."""

import io
import socket
import zipfile
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from django.db import transaction
from moto.server import ThreadedMotoServer

from library.selectors import asset_url
from library.services import orphan_files_sweep
from tests.library import images
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db

BUCKET = "postframe-assets-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    settings.POSTFRAME_S3_BUCKET = BUCKET
    settings.POSTFRAME_S3_ENDPOINT_URL = s3_endpoint
    settings.POSTFRAME_S3_REGION = "us-east-1"
    settings.AWS_ACCESS_KEY_ID = "test-access-key"
    settings.AWS_SECRET_ACCESS_KEY = "test-secret-key"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-access-key",
        aws_secret_access_key="test-secret-key",
    )
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_ingest_puts_the_original_and_its_renditions_in_the_bucket_and_nothing_on_disk(
    bucket, team, member, settings
):
    asset = stored_asset(team, member, source="upload", data=images.png(200, 100))

    assert _keys(bucket) == sorted(asset.storage_keys)
    stored = bucket.get_object(Bucket=BUCKET, Key=asset.file)
    assert stored["ContentType"] == "image/png"
    assert not settings.MEDIA_ROOT.exists() or not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_the_objects_are_private(bucket, team, member):
    asset = stored_asset(team, member)
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=asset.file)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)


def test_a_member_is_redirected_to_a_short_lived_signed_url_that_serves_the_file(bucket, client_for, team, member):
    asset = stored_asset(team, member, source="upload", data=images.jpeg(120, 80))

    response = client_for(member).get(asset_url(asset))

    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(bucket.meta.endpoint_url)
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query
    fetched = httpx.get(location)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/jpeg"
    assert fetched.content == bucket.get_object(Bucket=BUCKET, Key=asset.file)["Body"].read()


def test_the_signed_url_is_only_handed_to_the_owning_team(bucket, client_for, team, member, outsider):
    asset = stored_asset(team, member)
    client_for(member).logout()
    response = client_for(outsider).get(asset_url(asset, "thumb"))
    assert response.status_code == 404 and "Location" not in response


def test_a_zip_of_a_selection_streams_from_the_bucket(bucket, client_for, team, member):
    first, second = stored_asset(team, member, name="one"), stored_asset(team, member, name="two")

    response = client_for(member).post("/library/selection/download/", {"asset": [first.pk, second.pk]})

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response)))
    assert sorted(archive.namelist()) == ["one.png", "two.png"]
    assert archive.read("one.png") == bucket.get_object(Bucket=BUCKET, Key=first.file)["Body"].read()


def test_deleting_an_asset_removes_its_objects_once_committed(
    bucket, client_for, team, member, django_capture_on_commit_callbacks
):
    asset = stored_asset(team, member)
    keep = stored_asset(team, member)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(f"/library/assets/{asset.pk}/delete/")

    assert _keys(bucket) == sorted(keep.storage_keys)


def test_the_orphan_sweep_removes_objects_no_asset_refers_to_and_keeps_the_rest(bucket, team, member):
    keep = stored_asset(team, member)
    with pytest.raises(RuntimeError), transaction.atomic():
        stored_asset(team, member, source="upload", data=images.png(90, 60))
        raise RuntimeError("the caller failed after the ingest")
    assert len(_keys(bucket)) == 6

    assert orphan_files_sweep(older_than_seconds=3600) == 0  # every object is seconds old: it may still commit
    assert orphan_files_sweep(older_than_seconds=0) == 3
    assert _keys(bucket) == sorted(keep.storage_keys)
