"""Health, readiness, version, metrics, the OpenAPI document, and the pisqrt app."""

import json
import re
import shutil

import numpy as np
import pytest

from conftest import png_bytes
from segapp import __version__, pisqrt
from segapp.api import create_app
from segapp.config import PACKAGE_MODEL_DIR, Settings
from segapp.model import ModelError, Manifest, default_threads


def test_health_ready_version(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ready"}
    manifest = Manifest.load(PACKAGE_MODEL_DIR)
    assert client.get("/version").get_json() == {
        "release": "r-test", "app_version": __version__,
        "model_version": manifest.version, "git_revision": "abc123",
    }


def test_not_ready_until_model_loaded():
    client = create_app(Settings(), eager=False).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["status"] == "not_ready"
    client.get("/version")  # loads the model on first use
    assert client.get("/readyz").status_code == 200


def test_build_info_is_read_from_the_file_the_vassal_names(tmp_path):
    info = tmp_path / "build-info.json"
    info.write_text(json.dumps({"release": "v7", "git_revision": "f00d"}))
    settings = Settings.from_env({"SEGAPP_BUILD_INFO": str(info)})
    body = create_app(settings, eager=False).test_client().get("/version").get_json()
    assert (body["release"], body["git_revision"]) == ("v7", "f00d")


def metric(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        series = line.split("{", 1)[0].split(" ", 1)[0]
        if series == name and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name}{{{wanted}}} not in metrics")


def test_metrics_count_requests_by_route_and_status():
    client = create_app(Settings()).test_client()
    for _ in range(3):
        assert client.post("/infer", data=png_bytes(np.zeros((8, 8, 3), np.uint8)), content_type="image/png").status_code == 200
    client.post("/infer", data=b"junk", content_type="image/png")
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, "segapp_requests_total", route="/infer", status="200") == 3
    assert metric(text, "segapp_requests_total", route="/infer", status="400") == 1
    assert metric(text, "segapp_request_duration_seconds_count", route="/infer") == 4
    assert metric(text, "segapp_inference_duration_seconds_count") == 3


def openapi_operations(document: dict) -> set:
    return {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}


def test_openapi_matches_routes(app, client):
    document = client.get("/openapi.json").get_json()
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules() if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert openapi_operations(document) == routes
    for path, ops in document["paths"].items():
        for op in ops.values():
            for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(op)):
                assert ref in document["components"]["schemas"], (path, ref)


def test_manifest_swaps_the_model_without_code(tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(PACKAGE_MODEL_DIR, model_dir)
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest.update(version="9.9.9", classes=["pet", "floor", "edge"])
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    client = create_app(Settings(model_dir=model_dir)).test_client()
    body = client.post("/infer", data=png_bytes(np.zeros((8, 8, 3), np.uint8)), content_type="image/png").get_json()
    assert (body["classes"], body["model_version"]) == (["pet", "floor", "edge"], "9.9.9")


def test_a_corrupt_model_refuses_to_start(tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(PACKAGE_MODEL_DIR, model_dir)
    (model_dir / "unet.onnx").write_bytes(b"\0" * 100)
    with pytest.raises(ModelError, match="sha256"):
        create_app(Settings(model_dir=model_dir))
    (model_dir / "manifest.json").write_text("{}")
    with pytest.raises(ModelError, match="manifest"):
        create_app(Settings(model_dir=model_dir))


def test_threads_keep_workers_times_threads_within_cores():
    assert default_threads(workers=1, cores=8) == 8
    assert default_threads(workers=3, cores=8) == 2
    assert default_threads(workers=4, cores=2) == 1


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="SEGAPP_MAX_PIXELS"):
        Settings.from_env({"SEGAPP_MAX_PIXELS": "lots"})


@pytest.mark.parametrize("query, status, body", [
    ("a=25", 200, {"result": "8.86226925452758"}),
    ("a=0", 200, {"result": "0.0"}),
    ("", 400, {"error": "missing_parameter"}),
    ("a=abc", 400, {"error": "invalid_parameter"}),
    ("a=-1", 400, {"error": "invalid_parameter"}),
    ("a=nan", 400, {"error": "invalid_parameter"}),
])
def test_pisqrt(query, status, body):
    response = pisqrt.create_app().test_client().get(f"/pisqrt?{query}")
    assert response.status_code == status
    assert body.items() <= response.get_json().items()
