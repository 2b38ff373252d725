#!/usr/bin/env python3
"""Deploy time, rollback time and failed requests under constant load, on the `make demo` host.

    make demo && .venv/bin/python scripts/deploy_bench.py [--concurrency 4]

Deploys tags A then B of a scratch repository (scripts/releaselab.py) and rolls back to A, while
scripts/loadgen.py POSTs /infer through nginx on 127.0.0.1:$DEMO_PORT. Prints one row a step:
the playbook's wall time, the requests that started between the switch (current-release changed)
and the end of the playbook, how many failed, and their p99; then the whole run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import releaselab  # noqa: E402
from loadgen import Load  # noqa: E402

CONTAINER = "segserve-demo"
INVENTORY = str(releaselab.PROJECT / "inventories" / "local" / "hosts.yml")


def switched_at() -> float:
    out = subprocess.check_output(["docker", "exec", CONTAINER, "python3", "-c",
                                   "import os; print(os.stat('/srv/segserve/current-release').st_mtime)"])
    return float(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    port = os.environ.get("DEMO_PORT", "8080")
    front = f"http://127.0.0.1:{port}"
    image = (releaselab.PROJECT / "app" / "examples" / "shapes.png").read_bytes()

    with tempfile.TemporaryDirectory() as tmp:
        prefix = f"bench-{int(time.time())}-"
        lab = releaselab.make_repo(Path(tmp), prefix)
        steps = [("deploy A", "playbooks/deploy.yml", [f"release={prefix}A"]),
                 ("deploy B", "playbooks/deploy.yml", [f"release={prefix}B"]),
                 ("rollback to A", "playbooks/rollback.yml", [])]
        load = Load(front, image, "image/png", args.concurrency, max_seconds=900, max_requests=500_000).start()
        done = []
        try:
            for name, playbook, extra in steps:
                run = releaselab.run_playbook(playbook, INVENTORY, [*extra, f"deploy_repo={lab}"])
                if run.returncode != 0:
                    print(run.output[-3000:], file=sys.stderr)
                    raise SystemExit(f"{name} failed")
                done.append((name, run, switched_at()))
        finally:
            result = load.stop()

    rows = [{"step": name, "seconds": run.seconds, **releaselab.switch_window(result["samples"], at, run)}
            for name, run, at in done]
    rows.append({"step": "whole run", "seconds": result["stopped"] - result["started"], **result["total"]})
    print(f"load: {args.concurrency} concurrent POST /infer ({len(image)}-byte PNG) through {front}")
    print(releaselab.table(rows))
    return 0 if result["total"]["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
