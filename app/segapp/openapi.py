"""The OpenAPI document of the segmentation API (a test keeps it equal to the routes)."""

from __future__ import annotations

from . import __version__

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "Malformed request", 413: "Body or image too large", 415: "Unsupported media type",
            503: "Model not loaded yet"}
    return {str(c): _json(_ERROR, text[c]) for c in codes}


def spec(settings) -> dict:
    status = {"type": "object", "properties": {"status": {"type": "string"}}, "required": ["status"]}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Segmentation service", "version": __version__},
        "paths": {
            "/infer": {
                "post": {
                    "summary": "Segment an image into the model's classes",
                    "parameters": [{
                        "name": "format", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": ["json", "png"], "default": "json"},
                        "description": "png returns the mask PNG itself",
                    }],
                    "requestBody": {
                        "required": True,
                        "description": f"At most {settings.max_body_bytes} bytes and {settings.max_pixels} pixels.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/InferRequest"}},
                            "image/png": {"schema": {"type": "string", "format": "binary"}},
                            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The mask, the same size as the image",
                            "content": {
                                "application/json": {"schema": {"oneOf": [
                                    {"$ref": "#/components/schemas/InferResponse"},
                                    {"$ref": "#/components/schemas/SeedResponse"},
                                ]}},
                                "image/png": {"schema": {"type": "string", "format": "binary"}},
                            },
                        },
                        **_errors(400, 413, 415),
                    },
                }
            },
            "/healthz": {"get": {"summary": "The process is alive",
                                 "responses": {"200": _json(status, "Alive")}}},
            "/readyz": {"get": {"summary": "The model is loaded and warmed up",
                                "responses": {"200": _json(status, "Ready"), **_errors(503)}}},
            "/version": {"get": {"summary": "Release, app, model and git revision",
                                 "responses": {"200": _json({"$ref": "#/components/schemas/Version"}, "Versions")}}},
            "/metrics": {"get": {"summary": "Prometheus metrics",
                                 "responses": {"200": {"description": "Prometheus text format",
                                                       "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/openapi.json": {"get": {"summary": "This document",
                                      "responses": {"200": _json({"type": "object"}, "OpenAPI 3 document")}}},
        },
        "components": {
            "schemas": {
                "InferRequest": {
                    "type": "object",
                    "required": ["image"],
                    "properties": {"image": {"oneOf": [
                        {"type": "string", "description": "base64 PNG or JPEG"},
                        {"type": "array", "description": "H x W x 3 nested list of numbers 0-255 (seed client)",
                         "items": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}},
                    ]}},
                },
                "InferResponse": {
                    "type": "object",
                    "required": ["mask", "width", "height", "classes", "model_version", "inference_ms"],
                    "properties": {
                        "mask": {"type": "string", "description": "base64 PNG whose pixel values are class ids"},
                        "width": {"type": "integer"},
                        "height": {"type": "integer"},
                        "classes": {"type": "array", "items": {"type": "string"}},
                        "model_version": {"type": "string"},
                        "inference_ms": {"type": "number"},
                    },
                },
                "SeedResponse": {
                    "type": "object",
                    "required": ["segmentation_output"],
                    "properties": {"segmentation_output": {
                        "type": "array", "items": {"type": "array", "items": {"type": "integer"}}}},
                },
                "Version": {
                    "type": "object",
                    "required": ["release", "app_version", "model_version", "git_revision"],
                    "properties": {k: {"type": "string"} for k in
                                   ("release", "app_version", "model_version", "git_revision")},
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string", "description": "stable code"},
                                   "message": {"type": "string", "description": "what to do about it"}},
                },
            }
        },
    }
