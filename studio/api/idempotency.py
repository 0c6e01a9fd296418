"""Idempotency-Key on every POST of the API, with Stripe's semantics: a retry replays the first answer.

A POST carrying the header runs inside one transaction that first claims (team, key) in IdempotentRequest. A repeat
with the same key and the same request gets the stored status and body back and does nothing; the same key with a
different request is a 422. A refused or failed request stores nothing, so it can be retried with the same key.
"""

import contextlib
import functools
import hashlib
import json

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import transaction
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError

from studio.api import selectors, services
from studio.api.schemas import refusal_message, refused_character

HEADER = "Idempotency-Key"
KEY_MAX_CHARS = 255
REPLAYED_HEADER = "Idempotent-Replayed"


def key_problem(key):
    """Why `key` cannot be used as an Idempotency-Key, or None."""
    if not key.strip():
        return "Send a non-empty Idempotency-Key, such as a UUID you make for this request."
    if len(key) > KEY_MAX_CHARS:
        return f"An Idempotency-Key holds at most {KEY_MAX_CHARS} characters; a UUID is a good choice."
    char = refused_character(key)
    if char is not None:
        return refusal_message(char)
    return None


def request_fingerprint(request):
    """sha256 of what a request asks for: method, path and body; JSON compared by value, multipart by its fields."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if request.content_type == "multipart/form-data":
        # Each client picks its own multipart boundary, so the raw bytes of two identical uploads differ.
        digest.update(json.dumps(sorted(request.POST.lists())).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(json.dumps([name, upload.name]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()
    body = request.body
    with contextlib.suppress(ValueError):  # not JSON: the bytes as they came
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest.update(body)
    return digest.hexdigest()


def _token(request):
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return selectors.active_token_for_secret(secret.strip()) if scheme.lower() == "bearer" else None


def _replay(record):
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type or None)
    if record.location:
        response["Location"] = record.location
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view, *, refuse):
    """`view` with Idempotency-Key handling for POSTs; `refuse(request, status, field, message)` shapes an error."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return view(request, *args, **kwargs)
        token = _token(request)
        if token is None:
            return view(request, *args, **kwargs)  # answers 401 like any call without a valid token
        if problem := key_problem(key):
            return refuse(request, 400, HEADER, problem)
        try:
            fingerprint = request_fingerprint(request)
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            return view(request, *args, **kwargs)  # the view refuses the body in the API's shape
        with transaction.atomic():
            record, claimed = services.idempotent_request_claim(
                team=token.team, key=key, fingerprint=fingerprint, method=request.method, path=request.path
            )
            if not claimed:
                if record.fingerprint != fingerprint:
                    return refuse(
                        request,
                        422,
                        HEADER,
                        f"This Idempotency-Key was already used for a different request ({record.method} "
                        f"{record.path} with another body) in the last 24 hours. Use a new key for a new request.",
                    )
                return _replay(record)
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300 and not response.streaming:
                services.idempotent_request_store(record=record, response=response)
            else:
                transaction.set_rollback(True)  # nothing is kept of a refused request, its key included
            return response

    wrapper.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapper
