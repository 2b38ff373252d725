import base64
import json
import os
import sys
from pathlib import Path

import pytest

# The app's generator gives test images with their ground truth (the controller's .venv has its deps).
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "app"))

CLIENT = Path(__file__).with_name("http_client.py")


class Http:
    """Requests made from inside the host to nginx on port 80, as a client on the host would."""

    def __init__(self, host):
        self.host = host
        host.ansible("copy", f"src={CLIENT} dest=/tmp/http_client.py mode=0644", become=True, check=False)

    def put_file(self, name: str, data: bytes, tmp_path) -> str:
        local = tmp_path / name
        local.write_bytes(data)
        remote = f"/tmp/{name}"
        self.host.ansible("copy", f"src={local} dest={remote} mode=0644", become=True, check=False)
        return remote

    def request(self, method: str, path: str, body: str | None = None, content_type: str | None = None):
        args = ["python3", "/tmp/http_client.py", method, f"http://127.0.0.1{path}"]
        if body is not None:
            args += [body, content_type]
        result = self.host.run(" ".join(f"'{a}'" for a in args))
        assert result.rc == 0, result.stderr
        reply = json.loads(result.stdout)
        reply["body"] = base64.b64decode(reply["body"])
        return reply


@pytest.fixture(scope="module")
def http(host):
    return Http(host)
