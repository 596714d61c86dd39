"""Deterministic pixel data for the generated files (no randomness: reruns write the same bytes)."""

import numpy as np
import OpenEXR

_DTYPES = {"HALF": "float16", "FLOAT": "float32", "UINT": "uint32"}


def plane(height: int, width: int, pixel_type: str = "HALF", seed: int = 0) -> np.ndarray:
    """A smooth gradient with some detail, so that every compressor has something to do."""
    y, x = np.mgrid[0:height, 0:width]
    if pixel_type == "UINT":
        return ((x * 7 + y * 13 + seed) % 1000).astype("uint32")
    values = (x / max(width, 1)) * 0.75 + (y / max(height, 1)) * 0.25 + ((x + y + seed) % 5) / 40
    return values.astype(_DTYPES[pixel_type])


def channels(height: int, width: int, spec: dict[str, str], p_linear=()) -> dict:
    """OpenEXR.Channel objects by name: spec maps a channel name to HALF, FLOAT or UINT."""
    return {
        name: OpenEXR.Channel(name, plane(height, width, kind, i), 1, 1, name in p_linear)
        for i, (name, kind) in enumerate(spec.items())
    }


def deep_plane(height: int, width: int, pixel_type: str, seed: int = 0) -> np.ndarray:
    """A deep channel: 0, 1 or 2 samples per pixel (None where there are none)."""
    out = np.empty((height, width), dtype=object)
    for y in range(height):
        for x in range(width):
            count = (x + 2 * y + seed) % 3
            if count == 0:
                out[y, x] = None
            else:
                values = [(x + y + s) % 17 + 0.5 * s for s in range(count)]
                if pixel_type == "UINT":
                    values = [int(v) for v in values]
                out[y, x] = np.array(values, dtype=_DTYPES[pixel_type])
    return out


def deep_channels(height: int, width: int, spec: dict[str, str]) -> dict:
    # Every channel of a deep part needs the same sample counts: one seed for all.
    return {name: deep_plane(height, width, kind) for name, kind in spec.items()}
