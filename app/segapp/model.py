"""The model: a manifest describing an ONNX UNet, and an ONNX Runtime session running it.

A different UNet is swapped in by editing manifest.json (file, input size, layout,
normalisation, class names); nothing here knows the shapes model in particular.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)


class ModelError(RuntimeError):
    """The model directory or its manifest is unusable: the worker must not start."""


@dataclass(frozen=True)
class Manifest:
    path: Path
    name: str
    version: str
    classes: tuple[str, ...]
    input_name: str
    layout: str
    height: int
    width: int
    scale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    sha256: str | None

    @classmethod
    def load(cls, model_dir: Path) -> "Manifest":
        manifest_path = Path(model_dir) / "manifest.json"
        try:
            raw = json.loads(manifest_path.read_text())
            spec = raw["input"]
            manifest = cls(
                path=manifest_path.parent / raw["file"],
                name=str(raw.get("name", "model")),
                version=str(raw["version"]),
                classes=tuple(str(c) for c in raw["classes"]),
                input_name=str(spec["name"]),
                layout=str(spec.get("layout", "NCHW")).upper(),
                height=int(spec["height"]),
                width=int(spec["width"]),
                scale=float(spec.get("scale", 1 / 255)),
                mean=tuple(float(v) for v in spec.get("mean", (0.0, 0.0, 0.0))),
                std=tuple(float(v) for v in spec.get("std", (1.0, 1.0, 1.0))),
                sha256=raw.get("sha256"),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"cannot read model manifest {manifest_path}: {exc!r}") from exc
        if manifest.layout not in ("NCHW", "NHWC"):
            raise ModelError(f"{manifest_path}: layout must be NCHW or NHWC, not {manifest.layout}")
        if len(manifest.mean) != 3 or len(manifest.std) != 3 or len(manifest.classes) < 2:
            raise ModelError(f"{manifest_path}: mean and std take 3 values, classes at least 2")
        if not manifest.path.is_file():
            raise ModelError(f"{manifest_path}: model file {manifest.path} is missing")
        return manifest


def default_threads(workers: int, cores: int | None = None) -> int:
    """Intra-op threads per worker so that workers x threads <= cores."""
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(1, workers))


class Segmenter:
    """One ONNX Runtime session; build it in the process that uses it (after fork)."""

    def __init__(self, manifest: Manifest, threads: int):
        import onnxruntime as ort

        data = manifest.path.read_bytes()
        if manifest.sha256 and hashlib.sha256(data).hexdigest() != manifest.sha256:
            raise ModelError(f"{manifest.path} does not match the sha256 in its manifest")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning threads burn the cores other workers need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self.session = ort.InferenceSession(data, sess_options=options, providers=["CPUExecutionProvider"])
        self.manifest = manifest
        self.threads = threads
        self.pid = os.getpid()
        self.warm = False
        scale = np.float32(manifest.scale)
        self._scale = scale / np.asarray(manifest.std, dtype=np.float32)
        self._offset = np.asarray(manifest.mean, dtype=np.float32) / np.asarray(manifest.std, dtype=np.float32)

    def warm_up(self) -> None:
        m = self.manifest
        self.predict(np.zeros((m.height, m.width, 3), dtype=np.uint8))
        self.warm = True

    def predict(self, rgb: np.ndarray) -> tuple[np.ndarray, float]:
        """Class ids (H x W uint8) for an H x W x 3 uint8 image of any size, and the milliseconds
        spent in the model."""
        m = self.manifest
        height, width = rgb.shape[:2]
        resized = rgb
        if (height, width) != (m.height, m.width):
            resized = np.asarray(Image.fromarray(rgb).resize((m.width, m.height), Image.BILINEAR))
        x = resized.astype(np.float32) * self._scale - self._offset
        x = x[None] if m.layout == "NHWC" else x.transpose(2, 0, 1)[None]
        start = time.perf_counter()
        logits = self.session.run(None, {m.input_name: np.ascontiguousarray(x)})[0][0]
        elapsed_ms = (time.perf_counter() - start) * 1000
        ids = (logits.argmax(axis=-1) if m.layout == "NHWC" else logits.argmax(axis=0)).astype(np.uint8)
        if (height, width) != (m.height, m.width):
            ids = np.asarray(Image.fromarray(ids).resize((width, height), Image.NEAREST))
        return ids, elapsed_ms


def load_segmenter(model_dir: Path, threads: int) -> Segmenter:
    manifest = Manifest.load(model_dir)
    segmenter = Segmenter(manifest, threads)
    started = time.perf_counter()
    segmenter.warm_up()
    log.info(
        "model %s %s ready in pid %d (%d intra-op threads, warm-up %.0f ms)",
        manifest.name, manifest.version, segmenter.pid, threads, (time.perf_counter() - started) * 1000,
    )
    return segmenter
