"""Copied into the test hosts: one HTTP request, printed as JSON (stdlib only); status 0 = no answer."""

import base64
import json
import sys
import urllib.error
import urllib.request


def main() -> None:
    method, url = sys.argv[1], sys.argv[2]
    body, headers = None, {}
    if len(sys.argv) > 3:
        source, content_type = sys.argv[3], sys.argv[4]
        body = b"\0" * int(source[1:]) if source.startswith("@") else open(source, "rb").read()
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, reply_headers, data = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, reply_headers, data = error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, OSError) as error:  # refused, reset, timed out: no HTTP answer
        status, reply_headers, data = 0, {}, str(error).encode()
    print(json.dumps({"status": status, "headers": reply_headers, "body": base64.b64encode(data).decode()}))


if __name__ == "__main__":
    main()
