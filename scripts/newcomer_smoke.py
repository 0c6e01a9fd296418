"""What a newcomer does after `make run`: the studio answers, the demo login signs in, one offline image is made
through the JSON API, and the library shows it. Exits non-zero, saying what failed, at the first thing that does.

    python scripts/newcomer_smoke.py http://127.0.0.1:8000 pf_live_…
"""

import re
import sys
import time

import httpx

DEMO_EMAIL = "demo@postframe.local"
DEMO_PASSWORD = "postframe-demo"


def fail(message):
    print(f"newcomer smoke: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def wait_healthy(base, seconds):
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"{base}/healthz", timeout=5)
            if answer.status_code == 200 and answer.json().get("ok"):
                return answer.json()
            last = f"{answer.status_code} {answer.text[:300]}"
        except httpx.HTTPError as error:
            last = str(error)
        time.sleep(1)
    fail(f"/healthz did not answer 200 with every part ok within {seconds}s (last: {last})")


def sign_in(base):
    browser = httpx.Client(base_url=base, follow_redirects=False, timeout=15)
    page = browser.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or not token:
        fail(f"the sign-in page answered {page.status_code} without a form")
    answer = browser.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": token.group(1), "login": DEMO_EMAIL, "password": DEMO_PASSWORD},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    if answer.status_code != 302:
        fail(f"signing in as {DEMO_EMAIL} answered {answer.status_code}, not a redirect into the studio")
    return browser


def generate(base, api_token):
    api = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {api_token}"}, timeout=30)
    answer = api.post(
        "/generations",
        json={"prompt": 'A poster that reads "Hello Postframe", teal and coral', "model": "local:draft"},
    )
    if answer.status_code != 202:
        fail(f"POST /api/v1/generations answered {answer.status_code}: {answer.text[:500]}")
    generation_id = answer.json()["id"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        state = api.get(f"/generations/{generation_id}").json()
        if state["status"] == "succeeded":
            break
        if state["status"] in {"failed", "cancelled"}:
            fail(f"the offline generation ended {state['status']}: {state}")
        time.sleep(0.5)
    else:
        fail("the offline generation did not finish within 90s: is the worker running?")
    output = state["outputs"][0]
    url = output["url"] if output["url"].startswith("http") else f"{base}{output['url']}"
    image = httpx.get(url, headers={"Authorization": f"Bearer {api_token}"}, timeout=30)
    if image.status_code != 200 or not image.content.startswith(b"\x89PNG"):
        fail(f"the generated image did not download ({image.status_code})")
    return output


def main(base, api_token):
    health = wait_healthy(base, 240)
    print(f"newcomer smoke: /healthz ok {health}")
    browser = sign_in(base)
    print(f"newcomer smoke: signed in as {DEMO_EMAIL}")
    output = generate(base, api_token)
    print(f"newcomer smoke: generated one image offline ({output.get('width')}x{output.get('height')})")
    library = browser.get("/library/")
    if library.status_code != 200 or "asset-card" not in library.text:
        fail(f"the library answered {library.status_code} without the generated image")
    print("newcomer smoke: the library shows it; all good")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
