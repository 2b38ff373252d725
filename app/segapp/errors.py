"""Errors users can act on: a 4xx/5xx JSON body with a stable code and a human message."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the service refuses, with the status, a stable code and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self):
        return _body(self.code, self.message, self.status)


def _body(code: str, message: str, status: int):
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return exc.response()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return _body(code, exc.description or exc.name, exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Logged with its traceback for the operator; the client sees no internals.
        log.exception("unhandled error")
        return _body("internal_error", "The server failed to process the request.", 500)
