"""A loopback reverse proxy that counts AWS requests by service and operation, for any client.

Both tools in the benchmark (ours and Cloud Custodian) reach the simulated account through it, so their
calls are counted the same way, on the wire, whatever the client library counts itself.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


def operation_of(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[str, str, str]:
    """(service, region, operation) of one signed AWS request."""
    scope = _SCOPE.search(headers.get("authorization", ""))
    region, service = (scope.group(1), scope.group(2)) if scope else ("", "unknown")
    target = headers.get("x-amz-target")
    if target:
        return service, region, target.rsplit(".", 1)[-1]
    if body and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        action = parse_qs(body.decode(errors="replace")).get("Action")
        if action:
            return service, region, action[0]
    if headers.get("smithy-protocol") == "rpc-v2-cbor":
        return service, region, path.rsplit("/", 1)[-1]
    if service == "s3":
        return service, region, s3_operation(method, path)
    return service, region, f"{method} {urlsplit(path).path.split('/')[1] if '/' in path else path}"


_S3_SUBRESOURCES = {"location": "GetBucketLocation", "lifecycle": "GetBucketLifecycleConfiguration",
                    "uploads": "ListMultipartUploads", "uploadId": "ListParts", "tagging": "GetBucketTagging"}


def s3_operation(method: str, path: str) -> str:
    """S3's REST requests named by their subresource (path-style: /bucket/key?subresource)."""
    parts = urlsplit(path)
    keys = [item.split("=", 1)[0] for item in parts.query.split("&") if item]
    for key in keys:
        if key in _S3_SUBRESOURCES and method == "GET":
            return _S3_SUBRESOURCES[key]
    if parts.path in ("", "/"):
        return "ListBuckets" if method == "GET" else f"{method} /"
    depth = "object" if parts.path.strip("/").count("/") else "bucket"
    return f"{method} {depth}" + (f" ?{keys[0]}" if keys else "")


class CountingProxy:
    """`with CountingProxy("http://127.0.0.1:5000") as proxy: proxy.url ...; proxy.counts`."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, the client's delayed ACK adds ~40 ms to
            # every proxied request.
            disable_nagle_algorithm = True

            def log_message(self, *_: object) -> None:
                return

            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                service, _, operation = operation_of(self.command, self.path, headers, body)
                with proxy._lock:
                    proxy.counts[(service, operation)] += 1
                conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=600)
                try:
                    conn.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
                    answer = conn.getresponse()
                    data = answer.read()
                finally:
                    conn.close()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward  # noqa: N815

        return Handler

    def __enter__(self) -> CountingProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()

    def by_operation(self) -> dict[str, int]:
        with self._lock:
            return {f"{s}:{o}": n for (s, o), n in sorted(self.counts.items())}

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())


if __name__ == "__main__":  # pragma: no cover - manual use: python bench/counting_proxy.py http://127.0.0.1:5000
    import sys
    import time

    with CountingProxy(sys.argv[1]) as p:
        print(p.url, flush=True)
        try:
            while True:
                time.sleep(5)
                print(json.dumps(p.by_operation()), flush=True)
        except KeyboardInterrupt:
            pass
