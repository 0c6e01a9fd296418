"""One httpx.Client per process for calls to outside services: made on first use, made afresh in a forked worker
child (the parent's pooled sockets stay the parent's), closed at exit. It keeps no cookies, so one team's session
at a platform never reaches another team's call."""

import atexit
import os
import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx


def no_cookies():
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))  # accepts none


class ProcessClient:
    """`get()` is this process's client, built by `make()` (called lazily, so settings are read at first use)."""

    def __init__(self, make):
        self._make = make
        self._client = None
        self._lock = threading.Lock()
        atexit.register(self.close)
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._forget)

    def get(self) -> httpx.Client:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._make()
        return self._client

    def close(self):
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _forget(self):
        self._client, self._lock = None, threading.Lock()
