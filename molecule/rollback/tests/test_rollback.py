"""Tagged deploys and rollback under constant POST /infer load through nginx: zero failed requests."""

import json
import os
import sys
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(PROJECT / "scripts"))

import releaselab  # noqa: E402
from loadgen import Load  # noqa: E402

FRONT = "http://127.0.0.1:18081"  # nginx of the test host, published on loopback by molecule.yml


def version() -> dict:
    with urllib.request.urlopen(f"{FRONT}/version", timeout=10) as response:
        return json.loads(response.read())


def switched_at(host) -> float:
    return float(host.check_output("python3 -c \"import os; print(os.stat('/srv/segserve/current-release').st_mtime)\""))


def test_deploy_rollback_under_load(host, tmp_path):
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    lab = releaselab.make_repo(tmp_path)
    image = (PROJECT / "app" / "examples" / "shapes.png").read_bytes()

    def deploy(tag, *extra):
        return releaselab.run_playbook("playbooks/deploy.yml", inventory,
                                       [f"release={tag}", f"deploy_repo={lab}", *extra])

    load = Load(FRONT, image, "image/png", concurrency=4, max_seconds=900, max_requests=200_000).start()
    rows = []
    try:
        run = deploy("A")
        assert run.returncode == 0, run.output[-3000:]
        assert version()["release"] == "A"

        run = deploy("B")
        assert run.returncode == 0, run.output[-3000:]
        assert version()["release"] == "B" and version()["app_version"].startswith("9.")
        rows.append(("deploy B", run, switched_at(host)))

        run = deploy("C")
        assert run.returncode != 0, run.output[-6000:]
        assert "Release C failed to build" in run.output, run.output[-6000:]
        assert "smoke test of release C failed" in run.output, run.output[-6000:]
        assert version()["release"] == "B"
        assert not host.file("/srv/segserve/releases/C").exists  # never kept, never counted

        # A check after the switch that fails (the front end it is told to use does not answer):
        run = deploy("A", "deploy_verify_url=http://127.0.0.1:9", "app_verify_timeout=3")
        assert run.returncode != 0, run.output[-6000:]
        assert "Release A failed after the switch" in run.output, run.output[-6000:]
        assert "switched back to B" in run.output, run.output[-6000:]
        assert version()["release"] == "B"
        assert host.file("/srv/segserve/current").linked_to == "/srv/segserve/releases/B"
        assert host.file("/srv/segserve/previous").linked_to == "/srv/segserve/releases/A"
        rows.append(("failed check, switch back", run, switched_at(host)))

        run = releaselab.run_playbook("playbooks/rollback.yml", inventory, [])
        assert run.returncode == 0, run.output[-3000:]
        assert version()["release"] == "A"
        rows.append(("rollback to A", run, switched_at(host)))

        run = releaselab.run_playbook("playbooks/rollback.yml", inventory, ["release=no-such-release"])
        assert run.returncode != 0, run.output[-6000:]
        assert "no complete release of that name is on the host" in run.output, run.output[-6000:]
        assert version()["release"] == "A"
    finally:
        result = load.stop()

    samples = result["samples"]
    table = []
    for step, run, at in rows:
        window = releaselab.switch_window(samples, at, run)
        table.append({"step": step, "seconds": run.seconds, **window})
    total = result["total"]
    table.append({"step": "whole scenario", "seconds": result["stopped"] - result["started"], **total})
    print("\n" + releaselab.table(table))
    assert total["sent"] > 500
    assert total["failed"] == 0 and total["errors"] == 0, total
