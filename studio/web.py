"""Serves Postframe's HTTP and websockets: uvicorn worker processes, each with its own socket on one port.

One command for every place the studio is served (`make run`, the Docker image, the browser tests and the
benchmarks), so they all measure and test what users get:

    python -m studio.web [--host 127.0.0.1] [--port 8000] [--workers N]

Each worker is a whole Django process on uvloop and httptools (pages run on its thread pool, see studio/asgi.py);
a websocket may land on any of them, since live frames travel through the Redis channel layer. The workers bind
the port side by side (SO_REUSEPORT), so the kernel spreads connections across them. With one shared socket the
first worker to wake takes every connection waiting, and a burst of keep-alive connections could leave one worker
(one core, under its GIL) serving nearly all of them while another sat idle. Twice as many workers as cores keep
both cores busy however the connections fall.

WEB_CONCURRENCY sets the number of workers (twice the CPU cores unless set); WEB_ACCESS_LOG=true logs every
request. A worker that dies is started again; one that cannot start (the port taken, the studio failing to load)
stops the server with its error.
"""

import argparse
import multiprocessing
import os
import signal
import socket
import sys
import time

from studio.settings.env import env_bool, env_int, env_str


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=env_str("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=env_int("PORT", 8000))
    parser.add_argument("--workers", type=int, default=env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
    args = parser.parse_args(argv)
    if args.workers <= 1:
        serve(args.host, args.port)
        return 0
    return Supervisor(args.host, args.port, args.workers).run()


def listening_socket(host, port, *, reuse_port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve(host, port, *, reuse_port=False, ready=None):
    """One worker: load the studio, then bind (beside its siblings when reuse_port), set `ready` and serve.

    Binding last keeps the kernel from handing a worker connections while it is still importing Django.
    """
    import uvicorn

    config = uvicorn.Config(
        "studio.asgi:application",
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        # Django's ASGI handler speaks no lifespan protocol; saying so spares a warning per worker.
        lifespan="off",
        access_log=env_bool("WEB_ACCESS_LOG", False),
        log_level=env_str("LOG_LEVEL", "INFO").lower(),
        # Behind a proxy on the same host, X-Forwarded-For/-Proto from it are believed (uvicorn's default).
        forwarded_allow_ips=env_str("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_graceful_shutdown=10,
    )
    config.load()  # imports the studio: an error here is an error at start, not a crash
    try:
        sock = listening_socket(host, port, reuse_port=reuse_port)
    except OSError as error:
        sys.exit(f"Postframe cannot listen on {host}:{port}: {error.strerror}. Is another server using the port?")
    if ready is not None:
        ready.set()
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Starts the workers, starts again any that dies, and stops them all on SIGINT or SIGTERM."""

    def __init__(self, host, port, workers):
        self.host, self.port, self.count = host, port, workers
        self.context = multiprocessing.get_context("spawn")
        self.workers = []
        self.stopping = False

    def run(self):
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        # Bind once here first: a port in use is reported once, before any worker starts.
        try:
            listening_socket(self.host, self.port, reuse_port=True).close()
        except OSError as error:
            print(f"Postframe cannot listen on {self.host}:{self.port}: {error.strerror}.", file=sys.stderr)
            return 1
        print(f"Postframe serving http://{self.host}:{self.port} with {self.count} web workers", flush=True)
        self.workers = [self._start() for _ in range(self.count)]
        status = 0
        while not self.stopping:
            time.sleep(0.5)
            for number, (process, ready) in enumerate(self.workers):
                if process.is_alive() or self.stopping:
                    continue
                if not ready.is_set():
                    print(f"A web worker could not start (exit {process.exitcode}); see above.", file=sys.stderr)
                    self.stopping, status = True, 1
                    break
                print(f"A web worker died (exit {process.exitcode}); starting another.", file=sys.stderr)
                self.workers[number] = self._start()
        self._stop_all()
        return status

    def _start(self):
        ready = self.context.Event()
        process = self.context.Process(
            target=serve, args=(self.host, self.port), kwargs={"reuse_port": True, "ready": ready}
        )
        process.start()
        return process, ready

    def _stop(self, signum, frame):
        self.stopping = True

    def _stop_all(self):
        for process, _ in self.workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + 15
        for process, _ in self.workers:
            process.join(timeout=max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


if __name__ == "__main__":
    sys.exit(main())
