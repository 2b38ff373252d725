#!/usr/bin/env python3
"""Bounded constant load: POST /infer through nginx from a few threads, every answer recorded.

    scripts/loadgen.py --url http://127.0.0.1:8080 --image app/examples/shapes.png \
        --concurrency 4 --max-seconds 300 --max-requests 20000 --out load.json

Stops at the first of: --max-seconds, --max-requests, SIGTERM/SIGINT. Only loopback URLs are
accepted. Writes JSON: totals, and every request as [start, seconds, status, host, retried] (status 0 =
connection error; host = the X-Served-By header), so a caller can take the p99 of any window (a switch,
for example) or see which host answered. A request whose kept-alive connection the server had closed
is retried once on a new connection (RFC 9112 9.3.1; /infer is idempotent) and counted in
stale_retries; every other error is a failure. Stdlib only.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import signal
import socket
import sys
import threading
import time
from urllib.parse import urlsplit


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summarize(samples: list[list], start: float | None = None, end: float | None = None) -> dict:
    """Counts and latency percentiles (ms) of the requests that started in [start, end]."""
    window = [s for s in samples if (start is None or s[0] >= start) and (end is None or s[0] <= end)]
    latencies = [s[1] * 1000 for s in window]
    return {
        "sent": len(window),
        "failed": sum(1 for s in window if not 200 <= s[2] < 300),
        "errors": sum(1 for s in window if s[2] == 0),
        "stale_retries": sum(1 for s in window if len(s) > 4 and s[4]),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
    }


def check_loopback(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = ipaddress.ip_address(socket.gethostbyname(host))
    if not address.is_loopback:
        raise SystemExit(f"refusing to load {host}: only loopback addresses are load-tested")
    return host, parts.port or 80, parts.path.rstrip("/")


class Load:
    def __init__(self, url: str, body: bytes, content_type: str, concurrency: int,
                 max_seconds: float, max_requests: int):
        self.host, self.port, self.prefix = check_loopback(url)
        self.body, self.content_type = body, content_type
        self.concurrency, self.max_seconds, self.max_requests = concurrency, max_seconds, max_requests
        self.samples: list[list] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def _worker(self) -> None:
        conn, used = None, 0  # used: requests answered on this connection (0 = fresh)
        deadline = time.time() + self.max_seconds
        while not self.stopping.is_set() and time.time() < deadline:
            with self.lock:
                if len(self.samples) >= self.max_requests:
                    return
            start = time.time()
            status, served_by, retried = 0, "", 0
            while True:
                sent = False
                try:
                    if conn is None:
                        conn, used = http.client.HTTPConnection(self.host, self.port, timeout=30), 0
                    conn.request("POST", self.prefix + "/infer", body=self.body,
                                 headers={"Content-Type": self.content_type})
                    sent = True
                    response = conn.getresponse()
                    response.read()
                    status, served_by = response.status, response.getheader("X-Served-By", "")
                    used += 1
                    if response.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = None
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = None
                    # A kept-alive connection the server closed while it sat idle (nginx does so on
                    # reload) fails before any response byte: RFC 9112 9.3.1 lets a client retry
                    # such a request once when it is idempotent, as POST /infer is. Counted apart.
                    stale = used > 0 and (isinstance(exc, http.client.RemoteDisconnected)
                                          or (not sent and isinstance(exc, (ConnectionResetError, BrokenPipeError))))
                    if stale and not retried:
                        retried = 1
                        continue
                    break
            with self.lock:
                self.samples.append([start, time.time() - start, status, served_by, retried])

    def start(self) -> "Load":
        self.started = time.time()
        self.threads = [threading.Thread(target=self._worker, daemon=True) for _ in range(self.concurrency)]
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> dict:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
        with self.lock:
            samples = list(self.samples)
        return {"started": self.started, "stopped": time.time(), "total": summarize(samples), "samples": samples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="front end, e.g. http://127.0.0.1:8080 (loopback only)")
    parser.add_argument("--image", required=True, help="PNG or JPEG file to POST")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    body = open(args.image, "rb").read()
    content_type = "image/png" if body.startswith(b"\x89PNG") else "image/jpeg"
    load = Load(args.url, body, content_type, args.concurrency, args.max_seconds, args.max_requests).start()
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    while not done.is_set() and any(t.is_alive() for t in load.threads):
        done.wait(0.2)
    result = load.stop()
    with open(args.out, "w") as handle:
        json.dump(result, handle)
    print(json.dumps(result["total"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
