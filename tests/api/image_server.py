"""A small local HTTP server for remote-reference tests: images, oversize bodies, non-images and redirect chains."""

import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


def png_bytes(size=(64, 48), colour=(200, 80, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


class ImageServer:
    """Routes: /image.png, /huge (streamed, no length), /huge-declared, /page.html, /redirect/<n> (n redirects),
    /to?url=…, /slow; anything else is 404. Remembers each request's path and Host header."""

    def __init__(self):
        self.requests = []
        self.image = png_bytes()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, body=b"", content_type="image/png", headers=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                server.requests.append({"path": self.path, "host": self.headers.get("Host")})
                path, _, query = self.path.partition("?")
                if path == "/image.png":
                    self._send(200, server.image)
                elif path == "/huge":
                    # Chunked and endless unless cut off: the client must stop reading at its cap.
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"\0" * 65536
                    try:
                        for _ in range(2000):
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                elif path == "/huge-declared":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(10 * 1024 * 1024 * 1024))
                    self.end_headers()
                elif path == "/page.html":
                    self._send(200, b"<html><body>not an image</body></html>", "image/png")
                elif path.startswith("/redirect/"):
                    left = int(path.rsplit("/", 1)[1])
                    target = "/image.png" if left <= 1 else f"/redirect/{left - 1}"
                    self._send(302, headers={"Location": target})
                elif path == "/to":
                    self._send(302, headers={"Location": query.removeprefix("url=")})
                elif path == "/slow":
                    time.sleep(3)
                    self._send(200, server.image)
                else:
                    self._send(404, b"missing", "text/plain")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A client that hangs up mid-body (as the fetcher does at its cap) is expected, not worth a traceback.
        self.httpd.handle_error = lambda request, address: None
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
