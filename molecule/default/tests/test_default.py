"""What a user and an operator see on a converged host: services, sockets, vassals and real requests."""

import base64
import io
import json
import re
import time

import numpy as np
import pytest
from PIL import Image

from segapp import synth

APPS = ("segmentation", "pisqrt")


@pytest.mark.parametrize("service", ["uwsgi-emperor", "nginx"])
def test_services_running_and_enabled_at_boot(host, service):
    unit = host.service(service)
    assert unit.is_running
    assert unit.is_enabled


@pytest.mark.parametrize("app", APPS)
def test_app_socket_owner_group_mode(host, app):
    sock = host.file(f"/run/uwsgi/{app}.sock")
    assert sock.is_socket
    assert sock.user == "segserve"
    assert sock.group == "www-data"
    assert sock.mode == 0o660


@pytest.mark.parametrize("app", APPS)
def test_vassal_ini_in_place(host, app):
    ini = host.file(f"/etc/uwsgi/vassals/{app}.ini")
    assert ini.is_file
    assert ini.contains("^lazy-apps = true$")
    assert ini.contains("^need-app = true$")
    assert ini.contains(f"^socket = /run/uwsgi/{app}.sock$")


def test_app_user_has_no_login_shell(host):
    user = host.user("segserve")
    assert user.shell in ("/usr/sbin/nologin", "/sbin/nologin")
    login = host.run("su segserve -c true </dev/null")  # su runs the user's own shell
    assert login.rc != 0, "a login shell for the app user answered"


def test_infer_through_nginx_returns_a_correct_mask(host, http, tmp_path):
    preds, truths = [], []
    for i in range(6):
        image, truth = synth.sample(5, i, size=128)
        buffer = io.BytesIO()
        Image.fromarray(image).resize((192, 160)).save(buffer, format="PNG")
        remote = http.put_file(f"shape{i}.png", buffer.getvalue(), tmp_path)
        reply = http.request("POST", "/infer?format=png", remote, "image/png")
        assert reply["status"] == 200
        assert reply["headers"]["Content-Type"] == "image/png"
        mask = np.asarray(Image.open(io.BytesIO(reply["body"])))
        assert mask.shape == (160, 192)
        preds.append(mask)
        truths.append(np.asarray(Image.fromarray(truth).resize((192, 160), Image.NEAREST)))
    ious = synth.iou_per_class(np.stack(preds), np.stack(truths))
    assert ious[0] > 0.8 and ious[1] > 0.9, ious


def test_json_infer_and_version_through_nginx(host, http, tmp_path):
    image, _ = synth.sample(5, 50)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG")
    payload = json.dumps({"image": base64.b64encode(buffer.getvalue()).decode()}).encode()
    remote = http.put_file("request.json", payload, tmp_path)
    reply = http.request("POST", "/infer", remote, "application/json")
    assert reply["status"] == 200
    body = json.loads(reply["body"])
    assert (body["width"], body["height"]) == (128, 128)
    assert body["classes"] == ["object", "background", "border"]

    version = json.loads(http.request("GET", "/version")["body"])
    current = host.file("/srv/segserve/current").linked_to
    assert current.endswith("/releases/" + version["release"])
    assert version["model_version"] == body["model_version"]


def test_second_vassal_answers(http):
    reply = http.request("GET", "/pisqrt?a=25")
    assert reply["status"] == 200
    assert json.loads(reply["body"]) == {"result": "8.86226925452758"}


def test_nginx_refuses_a_body_over_the_limit(http):
    reply = http.request("POST", "/infer", "@11534336", "image/png")  # 11 MiB > 10m
    assert reply["status"] == 413


def test_bad_request_gets_json_error_not_a_traceback(http, tmp_path):
    remote = http.put_file("junk.png", b"not an image at all", tmp_path)
    reply = http.request("POST", "/infer", remote, "image/png")
    assert reply["status"] == 400
    assert json.loads(reply["body"])["error"] == "invalid_image"
    assert b"Traceback" not in reply["body"]


APP_SITE = "http://127.0.0.1:8081"  # this host's own nginx, not the lb (which spreads over every app host)


def requests_total(http, route: str) -> float:
    text = http.request("GET", "/metrics", base=APP_SITE)["body"].decode()
    pattern = rf'^segapp_requests_total{{method="GET",route="{route}",status="200"}} (\S+)$'
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else 0.0


def test_metrics_sum_all_workers(host, http):
    assert len(worker_pids(host, "segmentation")) >= 2  # one worker per core, at least 2 here
    before = requests_total(http, "/healthz")
    for _ in range(8):
        assert http.request("GET", "/healthz", base=APP_SITE)["status"] == 200
    assert requests_total(http, "/healthz") == before + 8


def test_server_version_is_hidden(http):
    assert http.request("GET", "/healthz")["headers"]["Server"] == "nginx"


STATS = """
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
data = b''.join(iter(lambda: s.recv(65536), b''))
print(json.dumps([w['pid'] for w in json.loads(data)['workers'] if w['pid']]))
"""


def worker_pids(host, app):
    """The live worker pids, from the vassal's uWSGI stats socket."""
    out = host.check_output(f"python3 -c \"{STATS}\" /run/uwsgi/{app}.stats.sock")
    return sorted(json.loads(out))


def test_a_killed_worker_comes_back(host, http):
    before = worker_pids(host, "segmentation")
    assert before
    host.run(f"kill -9 {before[0]}")
    deadline = time.time() + 30
    while time.time() < deadline:
        after = worker_pids(host, "segmentation")
        if len(after) == len(before) and before[0] not in after:
            break
        time.sleep(0.5)
    assert len(after) == len(before) and before[0] not in after
    for _ in range(len(before) + 1):
        assert http.request("GET", "/readyz")["status"] == 200
