"""Requests made from inside a test host, as a client on that host (or on the hosts' own network) would."""

import base64
import json
from pathlib import Path

CLIENT = Path(__file__).with_name("http_client.py")


class Http:
    def __init__(self, host, base: str = "http://127.0.0.1"):
        self.host = host
        self.base = base
        host.ansible("copy", f"src={CLIENT} dest=/tmp/http_client.py mode=0644", become=True, check=False)

    def put_file(self, name: str, data: bytes, tmp_path) -> str:
        local = tmp_path / name
        local.write_bytes(data)
        remote = f"/tmp/{name}"
        self.host.ansible("copy", f"src={local} dest={remote} mode=0644", become=True, check=False)
        return remote

    def request(self, method: str, path: str, body: str | None = None, content_type: str | None = None,
                base: str | None = None) -> dict:
        """{'status', 'headers', 'body'}; status 0 means the connection itself failed."""
        args = ["python3", "/tmp/http_client.py", method, f"{base or self.base}{path}"]
        if body is not None:
            args += [body, content_type]
        result = self.host.run(" ".join(f"'{a}'" for a in args))
        assert result.rc == 0, result.stderr
        reply = json.loads(result.stdout)
        reply["body"] = base64.b64decode(reply["body"])
        return reply
