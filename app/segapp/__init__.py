"""Segmentation service: a UNet served with ONNX Runtime behind a Flask WSGI app."""

__version__ = "1.0.0"
