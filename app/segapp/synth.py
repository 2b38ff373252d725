"""Synthetic segmentation data: shapes on textured, noisy backgrounds.

Every sample is a pure function of (seed, index, size), so the training set,
the held-out evaluation set and the test images are reproducible anywhere.
Labels follow the Oxford-IIIT Pet trimap the original UNet was trained on,
shifted to start at zero: 0 = object, 1 = background, 2 = border (a band
around the object's outline).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

OBJECT, BACKGROUND, BORDER = 0, 1, 2
CLASS_NAMES = ("object", "background", "border")

# Border band half-width, as a fraction of the image side (2 px at 128 px).
_BORDER_FRACTION = 2 / 128
# Minimum RGB distance between an object's colour and the background mean.
_MIN_CONTRAST = 90.0


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A smooth colour gradient, a random texture and Gaussian noise."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    corners = rng.uniform(0, 255, size=(4, 3)).astype(np.float32)
    top = corners[0] * (1 - xx[..., None]) + corners[1] * xx[..., None]
    bottom = corners[2] * (1 - xx[..., None]) + corners[3] * xx[..., None]
    img = top * (1 - yy[..., None]) + bottom * yy[..., None]

    kind = rng.integers(0, 3)
    amplitude = rng.uniform(10, 45)
    if kind == 0:  # stripes at a random angle and frequency
        angle = rng.uniform(0, math.pi)
        freq = rng.uniform(4, 20)
        wave = np.sin(2 * math.pi * freq * (xx * math.cos(angle) + yy * math.sin(angle)))
    elif kind == 1:  # checkerboard
        cells = rng.integers(4, 16)
        wave = ((np.floor(xx * cells) + np.floor(yy * cells)) % 2) * 2 - 1
    else:  # blurred blotches
        coarse = rng.uniform(-1, 1, size=(8, 8)).astype(np.float32)
        blot = Image.fromarray(((coarse + 1) * 127.5).astype(np.uint8)).resize(
            (size, size), Image.BICUBIC
        )
        wave = np.asarray(blot, dtype=np.float32) / 127.5 - 1
    img = img + amplitude * wave[..., None]
    img = img + rng.normal(0, rng.uniform(3, 15), size=img.shape)
    return img


def _shape_polygon(rng: np.random.Generator, size: int) -> tuple[str, list]:
    """One random shape: ('ellipse', bbox) or ('polygon', points)."""
    cx, cy = rng.uniform(0.25, 0.75, size=2) * size
    radius = rng.uniform(0.12, 0.32) * size
    kind = rng.integers(0, 3)
    if kind == 0:
        rx = radius * rng.uniform(0.6, 1.0)
        ry = radius * rng.uniform(0.6, 1.0)
        return "ellipse", [cx - rx, cy - ry, cx + rx, cy + ry]
    if kind == 1:  # rotated rectangle
        w = radius * rng.uniform(0.7, 1.0)
        h = radius * rng.uniform(0.5, 1.0)
        theta = rng.uniform(0, math.pi)
        c, s = math.cos(theta), math.sin(theta)
        corners = [(-w, -h), (w, -h), (w, h), (-w, h)]
        return "polygon", [(cx + x * c - y * s, cy + x * s + y * c) for x, y in corners]
    n = int(rng.integers(3, 8))  # star-free polygon: sorted angles, jittered radii
    angles = np.sort(rng.uniform(0, 2 * math.pi, size=n))
    radii = radius * rng.uniform(0.6, 1.0, size=n)
    return "polygon", [
        (cx + r * math.cos(a), cy + r * math.sin(a)) for a, r in zip(angles, radii)
    ]


def _object_colour(rng: np.random.Generator, background_mean: np.ndarray) -> np.ndarray:
    for _ in range(50):
        colour = rng.uniform(0, 255, size=3)
        if np.linalg.norm(colour - background_mean) >= _MIN_CONTRAST:
            return colour
    return 255 - background_mean


def sample(seed: int, index: int, size: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Return (image HxWx3 uint8, mask HxW uint8 of class ids) for one sample."""
    rng = np.random.default_rng([seed, index])
    img = _background(rng, size)

    obj = Image.new("L", (size, size), 0)
    for _ in range(int(rng.integers(1, 3))):
        kind, geometry = _shape_polygon(rng, size)
        shape_mask = Image.new("L", (size, size), 0)
        draw = ImageDraw.Draw(shape_mask)
        if kind == "ellipse":
            draw.ellipse(geometry, fill=255)
        else:
            draw.polygon(geometry, fill=255)
        colour = _object_colour(rng, img.mean(axis=(0, 1)))
        texture = rng.normal(0, rng.uniform(2, 12), size=(size, size, 3))
        inside = np.asarray(shape_mask, dtype=bool)
        img[inside] = colour + texture[inside]
        obj.paste(255, mask=shape_mask)

    band = max(1, round(_BORDER_FRACTION * size))
    grown = obj.filter(ImageFilter.MaxFilter(2 * band + 1))
    shrunk = obj.filter(ImageFilter.MinFilter(2 * band + 1))
    mask = np.full((size, size), BACKGROUND, dtype=np.uint8)
    mask[np.asarray(obj, dtype=bool)] = OBJECT
    mask[np.asarray(grown, dtype=bool) & ~np.asarray(shrunk, dtype=bool)] = BORDER

    return np.clip(img, 0, 255).astype(np.uint8), mask


def batch(seed: int, start: int, count: int, size: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Samples start..start+count-1 stacked: images (N,H,W,3), masks (N,H,W)."""
    pairs = [sample(seed, i, size) for i in range(start, start + count)]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def iou_per_class(pred: np.ndarray, truth: np.ndarray, classes: int = 3) -> list[float]:
    """Intersection over union of each class id over the whole array."""
    scores = []
    for c in range(classes):
        p, t = pred == c, truth == c
        union = np.logical_or(p, t).sum()
        scores.append(float(np.logical_and(p, t).sum() / union) if union else 1.0)
    return scores
