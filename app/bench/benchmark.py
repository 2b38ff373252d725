"""In-process throughput and latency of the model and of the WSGI app, with 1 and with N processes.

    python app/bench/benchmark.py [--requests 200] [--processes N]

Each process builds its own ONNX Runtime session (as each uWSGI worker does) with
cores // processes intra-op threads, then answers a fixed number of requests on
generated 128x128 images. "model" times Segmenter.predict; "wsgi" times a POST of the
PNG through the Flask app (decode, inference, PNG encode, JSON). These figures are the
ceiling the deployed stack (nginx -> uWSGI) is measured against.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _worker(mode: str, threads: int, requests: int, start_gate, results) -> None:
    from PIL import Image

    from segapp import synth
    from segapp.api import create_app
    from segapp.config import Settings

    settings = Settings(intra_op_threads=threads)
    app = create_app(settings)
    segmenter = app.extensions["segapp.model"].get()
    client = app.test_client()
    images = [synth.sample(7, i)[0] for i in range(16)]
    pngs = []
    for image in images:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG")
        pngs.append(buffer.getvalue())
    start_gate.wait()
    latencies = []
    for i in range(requests):
        t0 = time.perf_counter()
        if mode == "model":
            segmenter.predict(images[i % len(images)])
        else:
            response = client.post("/infer", data=pngs[i % len(pngs)], content_type="image/png")
            assert response.status_code == 200
        latencies.append(time.perf_counter() - t0)
    results.put(latencies)


def run(mode: str, processes: int, requests: int) -> dict:
    threads = max(1, (os.cpu_count() or 1) // processes)
    ctx = mp.get_context("spawn")
    gate = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(mode, threads, requests, gate, results)) for _ in range(processes)]
    for w in workers:
        w.start()
    gate.wait(timeout=300)
    t0 = time.perf_counter()
    latencies = []
    for _ in workers:
        latencies += results.get(timeout=600)
    wall = time.perf_counter() - t0
    for w in workers:
        w.join(timeout=60)
    ms = np.asarray(latencies) * 1000
    return {
        "mode": mode, "processes": processes, "threads": threads, "requests": len(ms),
        "throughput": len(ms) / wall, "p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per process (bounded run)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="N for the multi-process rows")
    args = parser.parse_args()

    rows = []
    for mode in ("model", "wsgi"):
        for processes in sorted({1, args.processes}):
            rows.append(run(mode, processes, args.requests))
    print(f"cores: {os.cpu_count()}, image 128x128 PNG, {args.requests} requests per process")
    print(f"{'path':<6} {'procs':>5} {'threads':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for r in rows:
        print(f"{r['mode']:<6} {r['processes']:>5} {r['threads']:>7} {r['requests']:>8} "
              f"{r['throughput']:>8.1f} {r['p50']:>8.2f} {r['p99']:>8.2f}")
    by = {(r["mode"], r["processes"]): r["throughput"] for r in rows}
    if args.processes > 1:
        for mode in ("model", "wsgi"):
            print(f"{mode}: {args.processes} processes / 1 process throughput = "
                  f"{by[(mode, args.processes)] / by[(mode, 1)]:.2f}")
    print(f"wsgi / model throughput (1 process) = {by[('wsgi', 1)] / by[('model', 1)]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
