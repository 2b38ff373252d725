import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# The app's generator gives test images with their ground truth (the controller's .venv has its deps).
sys.path.insert(0, str(ROOT / "app"))
sys.path.insert(0, str(ROOT / "molecule" / "testlib"))

from hosthttp import Http  # noqa: E402


@pytest.fixture(scope="module")
def http(host):
    return Http(host)
