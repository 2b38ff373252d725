"""Settings, read once from the environment (the uWSGI vassal sets them)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_MODEL_DIR = Path(__file__).resolve().parent / "model"


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    model_dir: Path = PACKAGE_MODEL_DIR
    # Largest request body the app reads (nginx has its own, equal limit in front).
    max_body_bytes: int = 10 * 1024 * 1024
    # Largest decoded image, in pixels: refuses decompression bombs before decoding.
    max_pixels: int = 4096 * 4096
    # 0 = choose from the cores and the number of workers (workers x threads <= cores).
    intra_op_threads: int = 0
    build_info: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        build_info = {}
        info_path = env.get("SEGAPP_BUILD_INFO")
        if info_path and Path(info_path).is_file():
            build_info = json.loads(Path(info_path).read_text())
        return cls(
            model_dir=Path(env.get("SEGAPP_MODEL_DIR") or PACKAGE_MODEL_DIR),
            max_body_bytes=_int(env, "SEGAPP_MAX_BODY_BYTES", cls.max_body_bytes),
            max_pixels=_int(env, "SEGAPP_MAX_PIXELS", cls.max_pixels),
            intra_op_threads=int(env.get("SEGAPP_INTRA_OP_THREADS") or 0),
            build_info=build_info,
        )
