"""Under pyuwsgi, a vassal's env lines reach only the C environment; sync() copies them to os.environ."""

import os
import sys
import types

from segapp import uwsgi_env


def test_sync_copies_c_environment_under_uwsgi(monkeypatch):
    os.putenv("SEGAPP_TEST_ONLY_IN_C", "from-the-vassal")  # what uWSGI's setenv() does
    assert "SEGAPP_TEST_ONLY_IN_C" not in os.environ
    monkeypatch.setitem(sys.modules, "uwsgi", types.ModuleType("uwsgi"))
    try:
        uwsgi_env.sync()
        assert os.environ["SEGAPP_TEST_ONLY_IN_C"] == "from-the-vassal"
    finally:
        os.environ.pop("SEGAPP_TEST_ONLY_IN_C", None)


def test_sync_does_nothing_outside_uwsgi(monkeypatch):
    monkeypatch.delitem(sys.modules, "uwsgi", raising=False)
    os.putenv("SEGAPP_TEST_OUTSIDE", "x")
    try:
        uwsgi_env.sync()
        assert "SEGAPP_TEST_OUTSIDE" not in os.environ
    finally:
        os.unsetenv("SEGAPP_TEST_OUTSIDE")
