"""Header attributes for the attribute files: every type the OpenEXR bindings write, edge values.

The bindings pick the EXR type from the Python value: int -> int, float -> float, a float64 array
of one element -> double, str -> string, list of str -> stringvector, list of float ->
floatvector, int32/float32/float64 arrays of 2 or 3 -> v2i/v2f/v2d/v3i/v3f/v3d, 3x3 and 4x4
float32/float64 arrays -> m33f/m33d/m44f/m44d, pairs of pairs -> box2i/box2f, 8 floats ->
chromaticities, Fraction -> rational, and their own classes for the rest. They cannot write an
empty stringvector or floatvector (no element to infer the type from) nor deepImageState.
"""

import struct
from fractions import Fraction

import numpy as np
import OpenEXR as X

F32_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]
F32_DENORMAL = struct.unpack("<f", b"\x01\x00\x00\x00")[0]
F32_TENTH = float(np.float32(0.1))


def _preview() -> X.PreviewImage:
    dtype = np.dtype({"names": ["r", "g", "b", "a"], "formats": ["u1"] * 4})
    pixels = np.zeros((3, 4), dtype=dtype)
    for y in range(3):
        for x in range(4):
            pixels[y, x] = (x * 60, y * 100, 255 - x * 20, 255 if (x + y) % 2 else 128)
    return X.PreviewImage(pixels)


def _tiledesc() -> X.TileDescription:
    t = X.TileDescription()
    t.xSize, t.ySize, t.mode, t.roundingMode = 64, 32, X.RIPMAP_LEVELS, X.ROUND_UP
    return t


def every_type_attributes() -> dict:
    return {
        "aInt": 42,
        # 31 bytes: the longest name without the long-names bit.
        "aNameOfExactlyThirtyOneBytes_31": 31,
        "aIntMin": -2147483648,
        "aIntMax": 2147483647,
        "aFloat": 1.5,
        "aFloatTenth": F32_TENTH,
        "aFloatNaN": float("nan"),
        "aFloatInf": float("inf"),
        "aFloatNegInf": float("-inf"),
        "aFloatNegZero": -0.0,
        "aFloatDenormal": F32_DENORMAL,
        "aFloatMax": F32_MAX,
        "aDouble": np.array([0.1], dtype="float64"),
        "aDoubleBig": np.array([-1.5e300], dtype="float64"),
        "aString": "hello, world",
        "aStringUtf8": "Ωmega — ünïcödé ✓ 東京",
        "aStringEmpty": "",
        "aStringVector": ["alpha", "", "ünï", "a longer string with spaces"],
        "aFloatVector": [1.0, -2.5, F32_TENTH, float("inf")],
        "aFloatVectorOne": [0.25],
        "aV2i": np.array([-3, 4], dtype="int32"),
        "aV2f": np.array([0.5, F32_TENTH], dtype="float32"),
        "aV2d": np.array([0.1, -2.0], dtype="float64"),
        "aV3i": np.array([1, -2, 2147483647], dtype="int32"),
        "aV3f": np.array([1.0, 2.0, -3.25], dtype="float32"),
        "aV3d": np.array([0.1, 0.2, 0.3], dtype="float64"),
        "aBox2i": ((-10, -20), (30, 40)),
        "aBox2f": ((-0.5, 0.25), (1.5, 2.75)),
        # Distinct entries: a transposed matrix would not compare equal.
        "aM33f": np.arange(9, dtype="float32").reshape(3, 3) + 0.5,
        "aM33d": np.arange(9, dtype="float64").reshape(3, 3) / 10,
        "aM44f": np.arange(16, dtype="float32").reshape(4, 4) - 8,
        "aM44d": np.arange(16, dtype="float64").reshape(4, 4) / 3,
        "chromaticities": (0.64, 0.33, 0.3, 0.6, 0.15, 0.06, 0.3127, 0.329),
        "framesPerSecond": Fraction(24000, 1001),
        "aRationalNegative": Fraction(-3, 7),
        "aRationalBigDenominator": Fraction(1, 3_000_000_000),
        "keyCode": X.KeyCode(1, 2, 3, 4, 5, 6, 20),
        "timeCode": X.TimeCode(23, 59, 58, 29, 1, 1, 1, 1, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8),
        "aTimeCodeZero": X.TimeCode(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        "aTileDesc": _tiledesc(),
        "aLineOrder": X.DECREASING_Y,
        "aCompression": X.DWAB_COMPRESSION,
        "envmap": X.ENVMAP_CUBE,
        "anEnvmapLatLong": X.ENVMAP_LATLONG,
        "preview": _preview(),
        "aBytes": X.Bytes(b"\x00\x01\xfe\xff", "application/octet-stream"),
        "aBytesNoHint": X.Bytes(b"raw"),
        "anOpaque": X.OpaqueAttribute(b"\x01\x02\x03\x04\x05", "myCustomType"),
        # Standard attributes (OpenEXR's ImfStandardAttributes.h) under their own names.
        "owner": "seed research",
        "comments": "every attribute type",
        "capDate": "2026:01:02 03:04:05",
        "utcOffset": -3600.0,
        "xDensity": 72.0,
        "expTime": 0.02,
        "aperture": 2.8,
        "whiteLuminance": 100.0,
        "adoptedNeutral": np.array([0.3127, 0.329], dtype="float32"),
        "wrapmodes": "clamp,periodic",
        "multiView": ["left", "right"],
        "worldToCamera": np.identity(4, dtype="float32"),
    }


def many_attributes() -> dict:
    out = {}
    for i in range(300):
        kind = i % 3
        name = f"attr{i:03d}"
        out[name] = i if kind == 0 else (i / 4 if kind == 1 else f"value {i}")
    return out


def long_name_attributes() -> dict:
    return {
        "a" * 32: 1,
        "an_attribute_name_longer_than_31_bytes": 2.5,
        "n" * 255: "the longest name allowed",
        "shortName": X.OpaqueAttribute(b"\xaa\xbb", "a_type_name_longer_than_thirty_one_bytes"),
    }
