"""A local webhook receiver, the kind a team points Postframe's webhook channel at.

POST /hooks/{name}: checks X-Postframe-Signature (sha256=hex(HMAC-SHA256(secret, f"{timestamp}.{body}"))) and that
X-Postframe-Timestamp is within `tolerance` seconds (401 otherwise), that the body's id equals X-Postframe-Delivery
(400 otherwise), then counts the delivery: `deliveries[id]` the first time, `duplicates[id]` for every repeat (a
receiver de-duplicates, so both answer 200). Knobs as every fake: latency, lose_answers (delivered, answer
stalls), rate_limit (429 with Retry-After), plus `fail_next(n, status)` (answer n deliveries with that status,
without counting them). The signature is checked here independently of scheduling/publishers/webhook.py.
"""

import hashlib
import hmac
import json
import time
from collections import Counter

from tests.fakes.social import Answer, FakePlatform, Refusal, main


class WebhookReceiver(FakePlatform):
    name = "webhook"
    routes = (("POST", r"/hooks/([\w-]+)", "receive"),)

    def __init__(self, *, secret="whsec-test-secret", tolerance=300, **kwargs):
        super().__init__(**kwargs)
        self.secret, self.tolerance = secret, tolerance
        self.deliveries = Counter()
        self.bodies = {}  # delivery id → the JSON body first received
        self.refused = Counter()  # reason → count
        self._failures = []

    def hook_url(self, name="main"):
        return f"{self.url}/hooks/{name}"

    def fail_next(self, count=1, status=500):
        with self._lock:
            self._failures.extend([status] * count)

    def receive(self, request, name):
        timestamp = request.headers.get("x-postframe-timestamp", "")
        signature = request.headers.get("x-postframe-signature", "")
        expected = (
            "sha256="
            + hmac.new(self.secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
        )
        if not hmac.compare_digest(expected, signature):
            self._refuse("signature")
            raise Refusal(401, {"error": "bad signature"})
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > self.tolerance:
            self._refuse("stale")
            raise Refusal(401, {"error": "stale timestamp"})
        try:
            body = json.loads(request.body)
        except ValueError:
            self._refuse("json")
            raise Refusal(400, {"error": "not JSON"}) from None
        delivery = request.headers.get("x-postframe-delivery", "")
        if not delivery or body.get("id") != delivery:
            self._refuse("delivery id")
            raise Refusal(400, {"error": "the body's id is not the delivery id"})
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            raise Refusal(failure, {"error": "receiver trouble"})
        if self.rate_limited():
            raise Refusal(429, {"error": "slow down"}, {"Retry-After": str(int(self.rate_limited()) + 1)})
        with self._lock:
            first = delivery not in self.deliveries
            if first:
                self.deliveries[delivery] += 1
                self.bodies[delivery] = body
                self.posts.append(body)
                self.published[body.get("text", "")] += 1
            else:
                self.duplicates[delivery] += 1
        return Answer(200, {"received": delivery, "duplicate": not first}, lose=first and self.take_lost_answer())

    def _refuse(self, reason):
        with self._lock:
            self.refused[reason] += 1


if __name__ == "__main__":
    main(WebhookReceiver)
