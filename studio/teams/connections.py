"""The "Test connection" check of a provider key: one small authenticated request, reported in plain words."""

from dataclasses import dataclass

import httpx
import openai
from django.conf import settings

from studio.engines.video import kling_token as kling_sign
from studio.teams.models import Provider

TIMEOUT_SECONDS = 10
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str


def _network_reason(exc):
    """What went wrong on the wire, in words, from an exception and the exceptions that caused it."""
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        if isinstance(exc, TimeoutError) or "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
            return f"no answer within {TIMEOUT_SECONDS} seconds"
        text = str(exc)
        lowered = text.lower()
        if "connection refused" in lowered:
            return "connection refused"
        if "name or service not known" in lowered or "nodename nor servname" in lowered or "getaddrinfo" in lowered:
            return "the host name does not resolve"
        if "certificate" in lowered or "ssl" in lowered:
            return "the TLS certificate was not accepted"
        if "network is unreachable" in lowered:
            return "the network is unreachable"
        exc = exc.__cause__ or exc.__context__
    last = seen[-1] if seen else None
    detail = str(last).strip() if last is not None else ""
    return detail[:160] or "the connection failed"


def _error_code(body):
    """The provider's machine-readable error code, when its JSON answer carries one."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    source = error if isinstance(error, dict) else body
    code = source.get("code") or source.get("type")
    return str(code) if code not in (None, "") else None


def _check_openai(api_key):
    base_url = settings.OPENAI_BASE_URL or None
    shown_url = base_url or OPENAI_DEFAULT_BASE_URL
    client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=TIMEOUT_SECONDS, max_retries=0)
    try:
        client.models.list()
    except openai.APIConnectionError as exc:
        return ConnectionResult(False, f"Could not reach {shown_url}: {_network_reason(exc)}.")
    except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
        code = exc.code or _error_code(exc.body)
        suffix = f" {code}" if code else ""
        return ConnectionResult(False, f"OpenAI refused the key ({exc.status_code}{suffix}).")
    except openai.APIStatusError as exc:
        code = exc.code or _error_code(exc.body)
        suffix = f" {code}" if code else ""
        return ConnectionResult(
            False, f"OpenAI answered {exc.status_code}{suffix}; the key could not be confirmed. Try again later."
        )
    except openai.OpenAIError as exc:
        return ConnectionResult(False, f"OpenAI could not be asked: {str(exc)[:160]}")
    return ConnectionResult(True, "Connected: OpenAI accepted the key.")


def _check_bearer(label, base_url, api_key, *, path="", params=None):
    """GET base_url + path with the key as a Bearer token; messages name `base_url`, never the path."""
    if not base_url:
        return ConnectionResult(False, f"No {label} address is configured; ask the operator to set it.")
    try:
        response = httpx.get(
            base_url.rstrip("/") + path if path else base_url,
            params=params,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx.InvalidURL:
        return ConnectionResult(False, f"The {label} address {base_url!r} is not a valid URL; ask the operator.")
    except httpx.HTTPError as exc:
        return ConnectionResult(False, f"Could not reach {base_url}: {_network_reason(exc)}.")
    if response.is_success:
        return ConnectionResult(True, f"Connected: {label} accepted the key.")
    try:
        code = _error_code(response.json())
    except ValueError:
        code = None
    suffix = f" {code}" if code else ""
    if response.status_code in (401, 403):
        return ConnectionResult(False, f"{label} refused the key ({response.status_code}{suffix}).")
    return ConnectionResult(
        False, f"{label} answered {response.status_code}{suffix} at {base_url}; the key could not be confirmed."
    )


def _check_kling(keys):
    """Sign a real JWT with the pair and read one page of the task list: the cheapest authenticated Kling call."""
    base_url = (settings.KLING_BASE_URL or "").rstrip("/")
    if not base_url:
        return ConnectionResult(False, "No Kling address is configured; ask the operator to set KLING_BASE_URL.")
    url = f"{base_url}/v1/videos/image2video"
    try:
        token = kling_sign(keys.access_key, keys.secret_key)
        response = httpx.get(
            url,
            params={"pageNum": 1, "pageSize": 1},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx.InvalidURL:
        return ConnectionResult(False, f"The Kling address {base_url!r} is not a valid URL; ask the operator.")
    except httpx.HTTPError as exc:
        return ConnectionResult(False, f"Could not reach {base_url}: {_network_reason(exc)}.")
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("code") if isinstance(body, dict) else None
    message = (body.get("message") if isinstance(body, dict) else "") or response.reason_phrase
    if response.is_success and code == 0:
        return ConnectionResult(True, "Connected: Kling accepted the access key and secret key.")
    if response.status_code in (401, 403) or code in (1000, 1001, 1002, 1003, 1004, 1103, 1304):
        why = f"{code} {message}" if code is not None else f"{response.status_code} {message}"
        return ConnectionResult(False, f"Kling refused the keys ({why}). Check the access key and the secret key.")
    why = f" {code} {message}" if code is not None else ""
    return ConnectionResult(
        False, f"Kling answered {response.status_code}{why} at {base_url}; the keys could not be confirmed."
    )


def provider_connection_test(*, provider, api_key):
    """Ask the provider whether it accepts `api_key` (for Kling a KlingKey pair); never raises, always a sentence."""
    if not api_key:
        return ConnectionResult(False, f"There is no {Provider(provider).label} key to test.")
    if provider == Provider.OPENAI:
        return _check_openai(api_key)
    if provider == Provider.KLING:
        return _check_kling(api_key)
    if provider == Provider.ARK:
        # A read of one page of the task list: Ark answers 401 AuthenticationError to a key it does not know.
        return _check_bearer(
            "Ark",
            settings.ARK_BASE_URL,
            api_key,
            path="/contents/generations/tasks",
            params={"page_num": 1, "page_size": 1},
        )
    raise ValueError(f"Unknown provider {provider!r}")
