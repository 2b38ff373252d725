"""Make a uWSGI vassal's `env = KEY=VALUE` lines visible to Python.

pyuwsgi starts the Python interpreter before uWSGI parses the vassal's options, so the
values uWSGI then setenv()s reach the C environment but not os.environ, which Python
copied at start-up. Copy them over, before any module reads its settings.
"""

from __future__ import annotations

import ctypes
import os


def c_environ() -> dict[str, str]:
    libc = ctypes.CDLL(None)
    entries = ctypes.POINTER(ctypes.c_char_p).in_dll(libc, "environ")
    found = {}
    i = 0
    while entries[i]:
        key, sep, value = entries[i].decode("utf-8", "surrogateescape").partition("=")
        if sep:
            found[key] = value
        i += 1
    return found


def sync() -> None:
    """Copy the C environment into os.environ under uWSGI; do nothing elsewhere."""
    try:
        import uwsgi  # noqa: F401  (only importable inside uWSGI)
    except ImportError:
        return
    for key, value in c_environ().items():
        if os.environ.get(key) != value:
            os.environ[key] = value
