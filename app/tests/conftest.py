import base64
import io

import numpy as np
import pytest
from PIL import Image

from segapp.api import create_app
from segapp.config import Settings


def png_bytes(rgb: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format=fmt)
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_mask(response_json: dict) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(response_json["mask"]))))


@pytest.fixture(scope="session")
def app():
    return create_app(Settings(build_info={"release": "r-test", "git_revision": "abc123"}))


@pytest.fixture()
def client(app):
    return app.test_client()
