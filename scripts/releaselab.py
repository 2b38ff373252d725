"""Tagged releases to deploy under load, shared by the Molecule rollback scenario and scripts/deploy_bench.py.

make_repo() builds a scratch git repository holding this project's app/ at three tags:
  A  the app as it is
  B  the same app with its version bumped (so /version tells B from A by code, not only by name)
  C  B with an import that fails: a release that must never go live
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "scripts"))

from loadgen import summarize  # noqa: E402

TAGS = ("A", "B", "C")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=releaselab", "-c", "user.email=lab@localhost", *args],
                   check=True, stdout=subprocess.DEVNULL)


def make_repo(root: Path, prefix: str = "") -> Path:
    """Tags are prefix + A, B, C (a prefix keeps release names unique on a long-lived host)."""
    repo = root / "lab"
    shutil.rmtree(repo, ignore_errors=True)
    app = repo / "app"
    app.mkdir(parents=True)
    shutil.copytree(PROJECT / "app" / "segapp", app / "segapp", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("requirements.txt", "pyproject.toml"):
        shutil.copy2(PROJECT / "app" / name, app / name)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "A")
    _git(repo, "tag", prefix + "A")
    init = app / "segapp" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9.'))
    _git(repo, "commit", "-q", "-am", "B: version bump")
    _git(repo, "tag", prefix + "B")
    wsgi = app / "segapp" / "wsgi.py"
    wsgi.write_text(wsgi.read_text() + "\nfrom .api import this_name_does_not_exist  # noqa: E402,F401\n")
    _git(repo, "commit", "-q", "-am", "C: fails to import")
    _git(repo, "tag", prefix + "C")
    return repo


@dataclass
class Run:
    playbook: str
    returncode: int
    seconds: float
    output: str
    started: float
    ended: float


def run_playbook(playbook: str, inventory: str, extra_vars: list[str], env: dict | None = None,
                 extra_inventories: list[str] = (), limit: str | None = None) -> Run:
    """ansible-playbook from the project root with the project's roles; output kept for assertions."""
    command = [str(Path(sys.executable).with_name("ansible-playbook")), str(PROJECT / playbook), "-i", inventory]
    for item in extra_inventories:
        command += ["-i", item]
    if limit:
        command += ["--limit", limit]
    for item in extra_vars:
        command += ["-e", item]
    full_env = dict(os.environ, ANSIBLE_ROLES_PATH=str(PROJECT / "roles"), ANSIBLE_NOCOLOR="1", **(env or {}))
    started = time.time()
    done = subprocess.run(command, cwd=PROJECT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=900)
    ended = time.time()
    return Run(playbook, done.returncode, ended - started, done.stdout, started, ended)


def switch_window(samples: list, switched_at: float, run: Run) -> dict:
    """Requests that started between the moment current-release changed and the end of the playbook."""
    return summarize(samples, start=switched_at, end=run.ended)


def table(rows: list[dict]) -> str:
    header = (f"{'step':<28} {'seconds':>8} {'sent':>7} {'failed':>7} {'retried (stale keep-alive)':>27}"
              f" {'p99 ms (switch)':>16}")
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r['step']:<28} {r['seconds']:>8.1f} {r['sent']:>7} {r['failed']:>7}"
                     f" {r['stale_retries']:>27} {r['p99_ms']:>16.1f}")
    return "\n".join(lines)
