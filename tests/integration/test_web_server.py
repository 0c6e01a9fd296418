"""python -m studio.web: worker processes side by side on one port, spread connections, replaced when they die."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.processes import BIN, ROOT, child_environment, free_port, start_web

pytestmark = pytest.mark.integration

# Served by every worker without the database: what these tests look at is the processes, not the pages.
PAGE = "/static/css/app.css"


def _children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def _socket_inodes(pid):
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _tcp_sockets(port, state):
    """Inodes of this machine's IPv4 TCP sockets on local `port` in `state` (0A listening, 01 established)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def _wait(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout}s for {what}")


@pytest.fixture
def web():
    port = free_port()
    server = start_web(child_environment(ALLOWED_HOSTS="127.0.0.1"), port, workers=2)
    yield server, port
    server.stop()


def _listening_workers(server, port):
    """The supervisor's children holding a listening socket on the port (its resource tracker holds none)."""
    listening = _tcp_sockets(port, "0A")
    return [pid for pid in _children(server.pid) if _socket_inodes(pid) & listening]


def _two_workers(server, port, *, without=None):
    def found():
        workers = _listening_workers(server, port)
        return workers if len(workers) == 2 and without not in workers else None

    return _wait(found, "two listening workers")


def test_each_worker_listens_on_the_port_and_connections_reach_both(web):
    server, port = web
    workers = _two_workers(server, port)

    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(24)]
    try:
        for client in clients:
            assert client.get(PAGE).status_code == 200
        established = _tcp_sockets(port, "01")
        holding = {pid: len(_socket_inodes(pid) & established) for pid in workers}
    finally:
        for client in clients:
            client.close()
    # 24 keep-alive connections hashed over two sockets: each worker holds some (all on one: 1 in 8 million).
    assert sum(holding.values()) == 24
    assert all(count > 0 for count in holding.values()), holding


def test_a_worker_that_dies_is_replaced_and_the_studio_keeps_answering(web):
    server, port = web
    first, second = _two_workers(server, port)
    os.kill(first, signal.SIGKILL)

    replaced = _two_workers(server, port, without=first)
    assert second in replaced
    for _ in range(10):
        assert httpx.get(f"http://127.0.0.1:{port}{PAGE}").status_code == 200
    assert "A web worker died" in server.log_text()


def test_stopping_the_server_stops_every_worker(web):
    server, port = web
    workers = _two_workers(server, port)
    server.process.send_signal(signal.SIGTERM)  # the supervisor alone, as a service manager would
    server.process.wait(timeout=30)
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_a_port_in_use_is_said_plainly_and_nothing_is_left_running():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(BIN / "python"), "-m", "studio.web", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=child_environment(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"Postframe cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
