"""A load balancer in front of app hosts: spread, lock-down, failover and scale-out by inventory edit."""

import json
import os
import sys
import time
from pathlib import Path

import pytest
import testinfra

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "molecule" / "testlib"))
sys.path.insert(0, str(ROOT / "scripts"))

import releaselab  # noqa: E402
from hosthttp import Http  # noqa: E402
from loadgen import Load  # noqa: E402

testinfra_hosts = ["segserve-lb"]  # every test drives the cluster from the load balancer (or the controller)

FRONT = "http://127.0.0.1:18082"  # the lb's port 80, published on loopback by molecule.yml
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")
APPS = ["segserve-app1", "segserve-app2"]


def other(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


def address(name):
    return other(name).check_output("hostname -I").split()[0]


@pytest.fixture(scope="module")
def http(host):
    return Http(host)


def served_by(http, count=20):
    hosts = []
    for _ in range(count):
        reply = http.request("GET", "/healthz")
        assert reply["status"] == 200
        hosts.append(reply["headers"]["X-Served-By"])
    return hosts


def test_requests_reach_both_app_hosts(http):
    assert set(served_by(http)) == set(APPS)


def test_app_hosts_refuse_direct_traffic(http):
    target = f"http://{address('segserve-app1')}:8081/healthz"
    assert http.request("GET", "/healthz", base=target.removesuffix("/healthz"))["status"] == 200  # from the lb
    neighbour = Http(other("segserve-app2"))
    assert neighbour.request("GET", "/healthz", base=target.removesuffix("/healthz"))["status"] == 403
    public = f"http://{address('segserve-app1')}"
    assert neighbour.request("GET", "/healthz", base=public)["status"] == 0  # nothing listens on :80


def test_stopping_an_emperor_fails_no_request(http):
    app1 = other("segserve-app1")
    image = (ROOT / "app" / "examples" / "shapes.png").read_bytes()
    load = Load(FRONT, image, "image/png", concurrency=4, max_seconds=60, max_requests=1500).start()
    try:
        time.sleep(3)
        app1.run("systemctl stop uwsgi-emperor")
        time.sleep(8)
        during = served_by(http, 10)
        assert set(during) == {"segserve-app2"}
    finally:
        app1.run("systemctl start uwsgi-emperor")
        result = load.stop()
    total = result["total"]
    print(f"\nfailover under load: {json.dumps(total)}")
    assert total["sent"] > 100
    assert total["failed"] == 0 and total["errors"] == 0, total
    deadline = time.time() + 60
    while set(served_by(http, 10)) != set(APPS):
        assert time.time() < deadline, "segserve-app1 did not come back into rotation"
        time.sleep(2)


def switched_at(name):
    cmd = "python3 -c \"import os; print(os.stat('/srv/segserve/current-release').st_mtime)\""
    return float(other(name).check_output(cmd))


def test_rolling_deploy_drains_each_host_and_fails_no_request(http, tmp_path):
    lab = releaselab.make_repo(tmp_path)
    image = (ROOT / "app" / "examples" / "shapes.png").read_bytes()
    load = Load(FRONT, image, "image/png", concurrency=4, max_seconds=600, max_requests=100_000).start()
    try:
        run = releaselab.run_playbook("playbooks/deploy.yml", INVENTORY, ["release=A", f"deploy_repo={lab}"])
    finally:
        result = load.stop()
    assert run.returncode == 0, run.output[-3000:]
    samples, total = result["samples"], result["total"]
    print(f"\nrolling deploy under load: {json.dumps(total)}")
    assert total["failed"] == 0 and total["errors"] == 0, total
    for name in APPS:
        at = switched_at(name)
        around_switch = [s[3] for s in samples if at - 1 <= s[0] <= at + 1]
        assert around_switch, f"no request around {name}'s switch"
        assert name not in around_switch, f"{name} took traffic while it switched"
    assert set(served_by(http, 20)) == set(APPS)  # both back in rotation


def test_scale_out_and_in_by_editing_the_inventory(http, tmp_path):
    extra = tmp_path / "scale-out.yml"
    extra.write_text("all:\n  children:\n    app:\n      hosts:\n        segserve-app3:\n")
    run = releaselab.run_playbook("site.yml", INVENTORY, [], extra_inventories=[str(extra)])
    assert run.returncode == 0, run.output[-3000:]
    assert set(served_by(http, 30)) == set(APPS + ["segserve-app3"])

    run = releaselab.run_playbook("site.yml", INVENTORY, [], limit="lb")
    assert run.returncode == 0, run.output[-3000:]
    assert set(served_by(http, 30)) == set(APPS)
