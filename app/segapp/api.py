"""The segmentation WSGI application: routes only; decoding, the model and metrics live elsewhere."""

from __future__ import annotations

import base64
import json
import logging
import os
import time

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from . import __version__, errors, imaging
from .config import Settings
from .errors import ApiError
from .metrics import Metrics
from .model import Segmenter, default_threads, load_segmenter
from .openapi import spec

log = logging.getLogger(__name__)

RAW_IMAGE_TYPES = {"image/png", "image/jpeg"}


def _uwsgi_workers() -> int:
    try:
        import uwsgi  # only importable inside uWSGI

        return int(uwsgi.numproc)
    except (ImportError, AttributeError):
        return 1


class ModelHolder:
    """Builds the ONNX Runtime session in the process that uses it: a session inherited
    through fork (no lazy-apps) is never used, a new one is built in the child."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._segmenter: Segmenter | None = None

    def get(self) -> Segmenter:
        if self._segmenter is None or self._segmenter.pid != os.getpid():
            threads = self.settings.intra_op_threads or default_threads(_uwsgi_workers())
            self._segmenter = load_segmenter(self.settings.model_dir, threads)
        return self._segmenter

    @property
    def ready(self) -> bool:
        return self._segmenter is not None and self._segmenter.pid == os.getpid() and self._segmenter.warm


def _read_body(settings: Settings) -> bytes:
    length = request.content_length
    if length is not None and length > settings.max_body_bytes:
        raise ApiError(413, "payload_too_large", f"The body exceeds the limit of {settings.max_body_bytes} bytes.")
    return request.get_data(cache=False)


def _image_from_request(settings: Settings):
    """(rgb array, True when the body used the seed client's nested-list format)."""
    mimetype = request.mimetype
    if mimetype in RAW_IMAGE_TYPES:
        return imaging.decode_image(_read_body(settings), settings.max_pixels), False
    if mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type",
                       "Send application/json with an 'image' field, or the image itself as image/png or image/jpeg.")
    body = _read_body(settings)
    try:
        payload = json.loads(body)
    except RecursionError:
        raise ApiError(400, "invalid_json", "The JSON body is nested too deeply.") from None
    except ValueError as exc:  # includes UnicodeDecodeError
        raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}.") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", "The JSON body must be an object with an 'image' field.")
    if "image" not in payload:
        raise ApiError(400, "missing_field", "The JSON body has no 'image' field.")
    value = payload["image"]
    if isinstance(value, str):
        return imaging.decode_image(imaging.decode_base64(value), settings.max_pixels), False
    if isinstance(value, list):
        return imaging.from_nested_list(value, settings.max_pixels), True
    raise ApiError(400, "invalid_field", "Field 'image' must be a base64 string or an H x W x 3 nested list.")


def create_app(settings: Settings | None = None, *, eager: bool = True) -> Flask:
    """The WSGI app. eager=True builds and warms the model now: under uWSGI with lazy-apps that is
    in each worker after fork, before the worker accepts a request."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    errors.register(app)
    metrics = Metrics()
    model = ModelHolder(settings)
    app.extensions["segapp.model"] = model
    app.extensions["segapp.metrics"] = metrics
    if eager:
        model.get()

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc):  # a chunked body that grew past the limit while being read
        return errors.ApiError(413, "payload_too_large",
                               f"The body exceeds the limit of {settings.max_body_bytes} bytes.").response()

    @app.before_request
    def _start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def _count(response: Response):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.observe(route, request.method, response.status_code, time.perf_counter() - g.get("started", 0.0))
        return response

    @app.post("/infer")
    def infer():
        rgb, seed_format = _image_from_request(settings)
        segmenter = model.get()
        ids, elapsed_ms = segmenter.predict(rgb)
        metrics.inference.observe(elapsed_ms / 1000)
        manifest = segmenter.manifest
        if seed_format:
            return jsonify(segmentation_output=ids.tolist())
        png = imaging.encode_png(ids)
        if request.args.get("format") == "png":
            response = Response(png, mimetype="image/png")
            response.headers["X-Model-Version"] = manifest.version
            response.headers["X-Inference-Ms"] = f"{elapsed_ms:.2f}"
            return response
        if request.args.get("format") not in (None, "json"):
            raise ApiError(400, "invalid_format", "Query parameter 'format' must be 'json' or 'png'.")
        return jsonify(
            mask=base64.b64encode(png).decode("ascii"),
            width=int(ids.shape[1]),
            height=int(ids.shape[0]),
            classes=list(manifest.classes),
            model_version=manifest.version,
            inference_ms=round(elapsed_ms, 3),
        )

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        if not model.ready:
            return jsonify(status="not_ready"), 503
        return jsonify(status="ready")

    @app.get("/version")
    def version():
        info = settings.build_info
        return jsonify(
            release=info.get("release", "unreleased"),
            app_version=__version__,
            model_version=model.get().manifest.version,
            git_revision=info.get("git_revision", "unknown"),
        )

    @app.get("/metrics")
    def metrics_endpoint():
        body, content_type = metrics.render()
        return Response(body, content_type=content_type)

    @app.get("/openapi.json")
    def openapi():
        return jsonify(spec(settings))

    return app
