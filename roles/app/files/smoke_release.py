"""Smoke-test a release before it goes live: serve it from a temporary uWSGI instance on a temporary
unix socket, as the app user, and check /readyz, /version and one real /infer. Stdlib only.

    smoke_release.py --uwsgi BIN --release-dir DIR --release NAME --user U --group G [--module M]

Exits 0 when every check passes; otherwise prints what failed (and uWSGI's last log lines) and exits 1.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def request(sock_path, method, url, body=None, headers=None):
    conn = UnixHTTPConnection(sock_path)
    try:
        conn.request(method, url, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def tiny_png(width=40, height=30):
    """An RGB PNG (a bright square on a dark background) built with zlib only."""
    rows = b""
    for y in range(height):
        row = b"".join(b"\xf0\x20\x20" if 10 <= x < 30 and 8 <= y < 22 else b"\x20\x40\x60" for x in range(width))
        rows += b"\x00" + row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def stop(proc):
    """End the temporary uWSGI and its workers (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--uwsgi", required=True)
    parser.add_argument("--release-dir", required=True)
    parser.add_argument("--release", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--module", default="segapp.wsgi:app")
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="segserve-smoke-")
    shutil.chown(workdir, args.user, args.group)
    sock = os.path.join(workdir, "http.sock")
    log = os.path.join(workdir, "uwsgi.log")
    env = dict(os.environ, SEGAPP_BUILD_INFO=os.path.join(args.release_dir, "build-info.json"),
               SEGAPP_INTRA_OP_THREADS="1", PROMETHEUS_MULTIPROC_DIR=workdir)
    command = [
        args.uwsgi, "--strict", "--master", "--processes", "1", "--lazy-apps", "--need-app", "--single-interpreter",
        "--uid", args.user, "--gid", args.group, "--http-socket", sock, "--chmod-socket=600",
        "--pythonpath", os.path.join(args.release_dir, "app"),
        "--pythonpath", os.path.join(args.release_dir, "site-packages"),
        "--module", args.module, "--die-on-term", "--logto", log,
    ]
    proc = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
    failure = None
    try:
        deadline = time.monotonic() + args.timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"uWSGI exited with status {proc.returncode} before the app answered")
            try:
                status, body = request(sock, "GET", "/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"/readyz did not answer 200 within {args.timeout:.0f}s")
            time.sleep(0.3)

        status, body = request(sock, "GET", "/version")
        version = json.loads(body)
        if status != 200 or version.get("release") != args.release:
            raise RuntimeError(f"/version answered {status} {body[:200]!r}, expected release {args.release}")

        status, body = request(sock, "POST", "/infer", tiny_png(), {"Content-Type": "image/png"})
        result = json.loads(body) if status == 200 else {}
        if status != 200 or (result.get("width"), result.get("height")) != (40, 30):
            raise RuntimeError(f"/infer answered {status} {body[:200]!r}")
        print(json.dumps({"release": args.release, "version": version, "inference_ms": result["inference_ms"]}))
    except Exception as exc:  # report every failure the same way: reason and uWSGI's own words
        failure = str(exc)
    finally:
        stop(proc)
    if failure:
        tail = ""
        if os.path.exists(log):
            with open(log, errors="replace") as handle:
                tail = "".join(handle.readlines()[-15:])
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"smoke test of release {args.release} failed: {failure}\n{tail}", file=sys.stderr)
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
