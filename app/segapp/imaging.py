"""Turning request payloads into RGB arrays and masks into PNGs, refusing bad input with ApiError."""

from __future__ import annotations

import base64
import binascii
import io
import warnings

import numpy as np
from PIL import Image

from .errors import ApiError

ACCEPTED_FORMATS = {"PNG", "JPEG"}


def decode_base64(text: str) -> bytes:
    if text.startswith("data:") and "," in text:  # tolerate a data: URL
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "invalid_base64", "Field 'image' is not valid base64.") from None


def decode_image(data: bytes, max_pixels: int) -> np.ndarray:
    """An H x W x 3 uint8 array from PNG or JPEG bytes, checked for size before decoding."""
    if not data:
        raise ApiError(400, "empty_image", "The image is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if image.format not in ACCEPTED_FORMATS:
                raise ApiError(415, "unsupported_image_format",
                               f"Images must be PNG or JPEG, not {image.format}.")
            if width * height > max_pixels:
                raise ApiError(413, "image_too_large",
                               f"The image has {width}x{height} pixels; the limit is {max_pixels} pixels.")
            image.load()
            rgb = image.convert("RGB")
    except ApiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ApiError(413, "image_too_large", f"The image exceeds the limit of {max_pixels} pixels.") from None
    except Image.UnidentifiedImageError:
        raise ApiError(400, "invalid_image", "The data is not a PNG or JPEG image.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ApiError(400, "invalid_image", f"The image could not be decoded ({type(exc).__name__}: "
                                             f"truncated or corrupt).") from None
    return np.asarray(rgb)


def from_nested_list(value: list, max_pixels: int) -> np.ndarray:
    """The seed client's format: an H x W x 3 nested list of numbers from 0 to 255."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise ApiError(400, "invalid_image_array",
                       "Field 'image' must be an H x W x 3 nested list of numbers.") from None
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ApiError(400, "invalid_image_array",
                       f"Field 'image' must have the shape H x W x 3, not {' x '.join(map(str, array.shape))}.")
    if array.shape[0] * array.shape[1] > max_pixels:
        raise ApiError(413, "image_too_large", f"The image exceeds the limit of {max_pixels} pixels.")
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > 255:
        raise ApiError(400, "invalid_image_array", "Pixel values must be numbers from 0 to 255.")
    return np.rint(array).astype(np.uint8)


def encode_png(ids: np.ndarray) -> bytes:
    """A greyscale PNG whose pixel values are the class ids."""
    buffer = io.BytesIO()
    Image.fromarray(ids).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
