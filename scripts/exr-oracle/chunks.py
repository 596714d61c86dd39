"""Chunk counts of single-part files that carry no `chunkCount` attribute.

The OpenEXR library computes them internally without exposing them; the generator computes them
here from what the library reports (dataWindow, compression, tiles), by the rules of OpenEXR's
File Layout and Core library (compression.c: lines per chunk; ImfTiledMisc.cpp: level counts and
sizes). exr_oracle.py checks these rules against the library's own `chunkCount` attributes (which
multi-part files carry) before it writes anything, so the formulas here are tested, not trusted.
"""

# Scanlines per chunk, by the library's compression names (OpenEXRCore/compression.c). ZSTD is
# OpenEXR 3.5's: one line per chunk, measured on the 3.5.3 wheel (a 300-line file has 300 chunks).
LINES_PER_CHUNK = {
    "NO_COMPRESSION": 1,
    "RLE_COMPRESSION": 1,
    "ZIPS_COMPRESSION": 1,
    "ZIP_COMPRESSION": 16,
    "PIZ_COMPRESSION": 32,
    "PXR24_COMPRESSION": 16,
    "B44_COMPRESSION": 32,
    "B44A_COMPRESSION": 32,
    "DWAA_COMPRESSION": 32,
    "DWAB_COMPRESSION": 256,
    "HTJ2K256_COMPRESSION": 256,
    "HTJ2K32_COMPRESSION": 32,
    "ZSTD_COMPRESSION": 1,
}


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _level_count(size: int, rounding: str) -> int:
    """Levels of a mip/rip chain over `size` pixels: floor or ceil of log2(size), plus one."""
    levels, n = 0, size
    if rounding == "ROUND_DOWN":
        while n > 1:
            n //= 2
            levels += 1
    else:
        while (1 << levels) < size:
            levels += 1
    return levels + 1


def _level_size(size: int, level: int, rounding: str) -> int:
    if rounding == "ROUND_DOWN":
        return max(size >> level, 1)
    return max(_ceil_div(size, 1 << level), 1)


def computed_chunk_count(part: dict) -> int:
    """Chunks of one part described as the reports of report.py describe it."""
    window = part["dataWindow"]
    width = window["xMax"] - window["xMin"] + 1
    height = window["yMax"] - window["yMin"] + 1
    tiles = part.get("tiles")
    if tiles is None:
        return _ceil_div(height, LINES_PER_CHUNK[part["compression"]])
    tx, ty, rounding = tiles["xSize"], tiles["ySize"], tiles["roundingMode"]

    def tiles_in(lx: int, ly: int) -> int:
        w = _level_size(width, lx, rounding)
        h = _level_size(height, ly, rounding)
        return _ceil_div(w, tx) * _ceil_div(h, ty)

    mode = tiles["levelMode"]
    if mode == "ONE_LEVEL":
        return tiles_in(0, 0)
    if mode == "MIPMAP_LEVELS":
        levels = _level_count(max(width, height), rounding)
        return sum(tiles_in(level, level) for level in range(levels))
    if mode == "RIPMAP_LEVELS":
        x_levels = _level_count(width, rounding)
        y_levels = _level_count(height, rounding)
        return sum(tiles_in(lx, ly) for lx in range(x_levels) for ly in range(y_levels))
    raise ValueError(f"unknown level mode {mode}")
