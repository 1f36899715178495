#!/usr/bin/env python3
"""moto's own application, the one `moto_server` runs, served over persistent HTTP/1.1
connections as AWS endpoints serve them.

`moto_server` runs moto under Werkzeug's development server, which answers every request
with `Connection: close`. A client then opens a TCP connection per request, and on loopback
the setup and teardown of both ends (the server's SYN and FIN handling included) is charged
to the client's process. To measure what the AWS client itself costs per request, as it runs
against AWS, `make bench` also serves moto with Python's http.server, which keeps connections
open. Nothing here changes what moto answers: the same WSGI application handles each request.

    moto_keepalive.py HOST PORT
"""
import io
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from moto.server import DomainDispatcherApplication, create_backend_app

# Headers about the connection itself: this server sets its own.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # persistent connections unless the client says close
    disable_nagle_algorithm = True
    app = None  # set in main()

    def log_request(self, code="-", size="-"):
        pass  # errors still go to stderr through log_error

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(body)
                body += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def environ(self, body):
        path, _, query = self.path.partition("?")
        env = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, encoding="latin-1"),  # PEP 3333: bytes as latin-1
            "QUERY_STRING": query,
            "SERVER_NAME": self.server.server_address[0],
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                env[key] = value
            elif key not in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
                key = "HTTP_" + key
                env[key] = env[key] + "," + value if key in env else value
        return env

    def handle_one(self):
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers

        try:
            result = self.app(self.environ(self.read_body()), start_response)
            try:
                data = b"".join(result)
            finally:
                if hasattr(result, "close"):  # PEP 3333
                    result.close()
        except Exception as e:  # moto's own failures answer 500, as under Werkzeug
            self.log_error("moto failed: %r", e)
            answer = {"status": "500 Internal Server Error", "headers": []}
            data = repr(e).encode()
        code, _, reason = answer["status"].partition(" ")
        self.send_response(int(code), reason)
        for name, value in answer["headers"]:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        # The head and the body leave in one write: end_headers would send the head alone,
        # and the client would wake once for the head and once more for the body.
        self._headers_buffer.append(b"\r\n")
        if self.command == "HEAD":
            data = b""
        self.wfile.write(b"".join(self._headers_buffer) + data)
        self._headers_buffer = []

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = handle_one


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: moto_keepalive.py HOST PORT")
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))  # as moto_server: moto builds URLs with it
    app = DomainDispatcherApplication(create_backend_app)
    Handler.app = app
    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"moto (keep-alive) on http://{host}:{port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
