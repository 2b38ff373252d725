#!/usr/bin/env python3
"""Throughput through the load balancer with one and with two app hosts, measured in one run.

    .venv/bin/python scripts/cluster_bench.py [--seconds 30] [--concurrency 4] [--destroy]

Brings up the Molecule `cluster` scenario's hosts (lb, app1, app2) if they are not running, then
POSTs /infer through the lb (127.0.0.1:18082) for a fixed time twice: with segserve-app2 drained from
the upstream (one app host) and with both. Prints both rows and their ratio.

On this machine every container shares the same 2 cores: a second app host adds workers but no CPU,
so the ratio measures what the load balancer's spreading costs or gains here, not how the service
scales; on separate machines each app host brings its own cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import releaselab  # noqa: E402
from loadgen import Load  # noqa: E402

PROJECT = releaselab.PROJECT
FRONT = "http://127.0.0.1:18082"
HOSTS = {"segserve-lb": "lb", "segserve-app1": "app", "segserve-app2": "app"}


def molecule(*args: str) -> None:
    venv_bin = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=f"{venv_bin}:{os.environ.get('PATH', '')}")
    subprocess.run([str(Path(venv_bin) / "molecule"), *args, "-s", "cluster"], cwd=PROJECT, env=env, check=True)


def running(name: str) -> bool:
    out = subprocess.run(["docker", "inspect", "-f", "{{.State.Running}}", name], capture_output=True, text=True)
    return out.stdout.strip() == "true"


def inventory(directory: Path) -> str:
    lines = ["all:", "  vars:", "    ansible_connection: community.docker.docker", "  children:"]
    for group in ("lb", "app"):
        lines += [f"    {group}:", "      hosts:"] + [f"        {h}:" for h, g in HOSTS.items() if g == group]
    (directory / "hosts.yml").write_text("\n".join(lines) + "\n")
    (directory / "group_vars").symlink_to(PROJECT / "inventories" / "local" / "group_vars")
    return str(directory / "hosts.yml")


def measure(seconds: float, concurrency: int, image: bytes) -> dict:
    load = Load(FRONT, image, "image/png", concurrency, max_seconds=seconds, max_requests=1_000_000).start()
    for thread in load.threads:
        thread.join()
    result = load.stop()
    total = result["total"]
    total["throughput"] = total["sent"] / (result["stopped"] - result["started"])
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each measurement")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--destroy", action="store_true", help="remove the cluster afterwards")
    args = parser.parse_args()

    if not all(running(h) for h in HOSTS):
        molecule("create")
        molecule("prepare")
        molecule("converge")
    image = (PROJECT / "app" / "examples" / "shapes.png").read_bytes()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inv = inventory(Path(tmp))
        for label, drained in (("1 app host", '["segserve-app2"]'), ("2 app hosts", "[]")):
            run = releaselab.run_playbook("site.yml", inv, [f'{{"nginx_lb_drained": {drained}}}'], limit="lb")
            if run.returncode != 0:
                print(run.output[-3000:], file=sys.stderr)
                return 1
            measure(3, args.concurrency, image)  # warm-up, not counted
            rows.append((label, measure(args.seconds, args.concurrency, image)))
    if args.destroy:
        molecule("destroy")

    print(f"POST /infer through the lb, {args.concurrency} concurrent clients, {args.seconds:.0f} s each, "
          f"{os.cpu_count()} cores shared by all hosts")
    print(f"{'upstream':<12} {'req/s':>8} {'sent':>7} {'failed':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for label, r in rows:
        print(f"{label:<12} {r['throughput']:>8.1f} {r['sent']:>7} {r['failed']:>7} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}")
    ratio = rows[1][1]["throughput"] / rows[0][1]["throughput"]
    print(f"2 hosts / 1 host throughput = {ratio:.2f} (same 2 cores: see the docstring for what this means)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
