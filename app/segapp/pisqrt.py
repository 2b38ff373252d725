"""The first seed's example app, served as a second vassal: GET /pisqrt?a=25 -> sqrt(a * pi)."""

from __future__ import annotations

import math

from flask import Flask, jsonify, request

from . import errors
from .errors import ApiError


def create_app() -> Flask:
    app = Flask(__name__)
    errors.register(app)

    @app.get("/pisqrt")
    def pisqrt():
        raw = request.args.get("a")
        if raw is None:
            raise ApiError(400, "missing_parameter", "Query parameter 'a' is required, e.g. /pisqrt?a=25.")
        try:
            a = float(raw)
        except ValueError:
            raise ApiError(400, "invalid_parameter", f"Query parameter 'a' must be a number, not {raw!r}.") from None
        if not math.isfinite(a) or a < 0:
            raise ApiError(400, "invalid_parameter", "Query parameter 'a' must be a finite number >= 0.")
        return jsonify(result=str(math.sqrt(a * math.pi)))

    @app.get("/pisqrt/healthz")
    def healthz():
        return jsonify(status="ok")

    return app


app = create_app()
