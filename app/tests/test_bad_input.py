"""Every kind of bad input gets a 4xx JSON error with a stable code, never a 500 or a traceback."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from conftest import b64, png_bytes
from segapp.api import create_app
from segapp.config import Settings

GOOD_PNG = png_bytes(np.full((16, 16, 3), 128, dtype=np.uint8))


def bomb_png() -> bytes:
    """A few kilobytes that decode to 20000 x 20000 pixels."""
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="GIF")
    return buffer.getvalue()


CASES = {
    "malformed json": (dict(data=b'{"image": ', content_type="application/json"), 400, "invalid_json"),
    "not utf-8": (dict(data=b'{"image": "\xff\xfe"}', content_type="application/json"), 400, "invalid_json"),
    "deeply nested json": (dict(data=b"[" * 200_000 + b"]" * 200_000, content_type="application/json"),
                           400, "invalid_json"),
    "json array body": (dict(json=[1, 2, 3]), 400, "invalid_json"),
    "missing field": (dict(json={"picture": b64(GOOD_PNG)}), 400, "missing_field"),
    "field of wrong type": (dict(json={"image": 42}), 400, "invalid_field"),
    "wrong content type": (dict(data=b"hello", content_type="text/plain"), 415, "unsupported_media_type"),
    "no content type": (dict(data=GOOD_PNG), 415, "unsupported_media_type"),
    "invalid base64": (dict(json={"image": "not base64!"}), 400, "invalid_base64"),
    "empty image": (dict(json={"image": ""}), 400, "empty_image"),
    "non-image bytes": (dict(data=b"definitely not an image", content_type="image/png"), 400, "invalid_image"),
    "truncated png": (dict(data=GOOD_PNG[: len(GOOD_PNG) // 2], content_type="image/png"), 400, "invalid_image"),
    "truncated png in json": (dict(json={"image": b64(GOOD_PNG[:60])}), 400, "invalid_image"),
    "gif": (dict(data=gif(), content_type="image/png"), 415, "unsupported_image_format"),
    "decompression bomb": (dict(data=bomb_png(), content_type="image/png"), 413, "image_too_large"),
    "ragged nested list": (dict(json={"image": [[[1, 2, 3]], [[1, 2]]]}), 400, "invalid_image_array"),
    "nested list of wrong shape": (dict(json={"image": [[1, 2, 3]]}), 400, "invalid_image_array"),
    "nested list out of range": (dict(json={"image": [[[1, 2, 300]]]}), 400, "invalid_image_array"),
    "nested list of strings": (dict(json={"image": [[["a", "b", "c"]]]}), 400, "invalid_image_array"),
    "unknown format": (dict(data=GOOD_PNG, content_type="image/png", query_string={"format": "bmp"}),
                       400, "invalid_format"),
}


def assert_clean_error(response, status, code):
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert b"Traceback" not in response.data and b'File "' not in response.data


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gets_clear_4xx(client, name):
    kwargs, status, code = CASES[name]
    assert_clean_error(client.post("/infer", **kwargs), status, code)


def test_oversized_body_is_refused_by_the_app():
    app = create_app(Settings(max_body_bytes=4096), eager=False)
    body = json.dumps({"image": b64(b"x" * 8192)})
    response = app.test_client().post("/infer", data=body, content_type="application/json")
    assert_clean_error(response, 413, "payload_too_large")


def test_oversized_chunked_body_is_refused_by_the_app():
    app = create_app(Settings(max_body_bytes=4096), eager=False)
    environ = {"wsgi.input_terminated": True}  # chunked: no Content-Length
    response = app.test_client().post("/infer", input_stream=io.BytesIO(b"x" * 8192),
                                      content_type="image/png", environ_overrides=environ)
    assert_clean_error(response, 413, "payload_too_large")


def test_pixel_limit_is_configurable():
    app = create_app(Settings(max_pixels=100), eager=False)
    response = app.test_client().post("/infer", data=GOOD_PNG, content_type="image/png")
    assert_clean_error(response, 413, "image_too_large")


@pytest.mark.parametrize("method, path, status", [("GET", "/infer", 405), ("GET", "/nope", 404)])
def test_unknown_routes_and_methods_are_json(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.get_json()["error"]
