"""What OpenEXR's own library (its Python bindings) reports about a file's headers, as JSON.

The bindings hand each attribute back as a Python value without its EXR type name; the type is
recovered from the value's Python/numpy type, which is unambiguous for every type they read
(double: a float64 array of one element; floatvector: a list of floats, v2f/v3f: float32 arrays;
box2i/box2f: a pair of int32/float32 arrays...). Enumerations keep the library's names
(ZIP_COMPRESSION, INCREASING_Y, MIPMAP_LEVELS, ENVMAP_CUBE, HALF). Non-finite floats become the
strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers); every finite float is written
with Python's shortest round-tripping repr, so float32 values come out exact.

Library quirks, kept as the library reports them (the test knows them):
- the `type` attribute (a string in the file) comes back as a Storage enum, and the bindings report
  one for single-part files whose header has none;
- a channel's pixel type is only known from its pixels, so the file is read whole; where the
  pixels cannot be read (the incomplete ripmap files: the bindings then return no parts at all)
  the headers are read alone and pixelType is null (exr_oracle.py takes OIIO's);
- a timecode comes back as its fields and userData; timeAndFlags needs a Packing enum the bindings
  do not export (OpenImageIO's view, report_oiio.py, has the packed value);
- files with a deepImageState attribute cannot be read at all ("unsupported attribute type").
"""

import fractions
import math

import numpy as np
import OpenEXR


def num(x):
    """A JSON-safe number: exact for finite values, a string for NaN and the infinities."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _box(pair):
    lo, hi = pair
    conv = int if lo.dtype == np.int32 else num
    return {"xMin": conv(lo[0]), "yMin": conv(lo[1]), "xMax": conv(hi[0]), "yMax": conv(hi[1])}


_ARRAY_TYPES = {
    ("int32", (2,)): "v2i",
    ("int32", (3,)): "v3i",
    ("float32", (2,)): "v2f",
    ("float32", (3,)): "v3f",
    ("float64", (2,)): "v2d",
    ("float64", (3,)): "v3d",
    ("float64", (1,)): "double",
    ("float32", (3, 3)): "m33f",
    ("float64", (3, 3)): "m33d",
    ("float32", (4, 4)): "m44f",
    ("float64", (4, 4)): "m44d",
}


def _array(value: np.ndarray):
    kind = _ARRAY_TYPES.get((str(value.dtype), value.shape))
    if kind is None:
        raise TypeError(f"unexpected array attribute {value.dtype} {value.shape}")
    flat = value.reshape(-1)
    if kind == "double":
        return kind, num(flat[0])
    conv = int if value.dtype == np.int32 else num
    # Matrices row-major, as Imath stores them and as the file holds them.
    return kind, [conv(v) for v in flat]


def _timecode(tc):
    return {
        "hours": tc.hours,
        "minutes": tc.minutes,
        "seconds": tc.seconds,
        "frame": tc.frame,
        "dropFrame": bool(tc.dropFrame),
        "colorFrame": bool(tc.colorFrame),
        "fieldPhase": bool(tc.fieldPhase),
        "bgf0": bool(tc.bgf0),
        "bgf1": bool(tc.bgf1),
        "bgf2": bool(tc.bgf2),
        "userData": tc.userData,
    }


def tile_description(td):
    return {
        "xSize": td.xSize,
        "ySize": td.ySize,
        "levelMode": td.mode.name,
        "roundingMode": td.roundingMode.name,
    }


def attribute(value):
    """(EXR type name, JSON value) of one attribute value as the bindings return it."""
    if isinstance(value, bool):
        raise TypeError("unexpected bool attribute")
    if isinstance(value, int):
        return "int", value
    if isinstance(value, float):
        return "float", num(value)
    if isinstance(value, str):
        return "string", value
    if isinstance(value, OpenEXR.Storage):
        return "string", value.name
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, fractions.Fraction):
        return "rational", {"numerator": value.numerator, "denominator": value.denominator}
    if isinstance(value, OpenEXR.Compression):
        return "compression", value.name
    if isinstance(value, OpenEXR.LineOrder):
        return "lineOrder", value.name
    if isinstance(value, OpenEXR.Envmap):
        return "envmap", value.name
    if isinstance(value, OpenEXR.TileDescription):
        return "tiledesc", tile_description(value)
    if isinstance(value, OpenEXR.KeyCode):
        fields = ("filmMfcCode", "filmType", "prefix", "count", "perfOffset")
        fields += ("perfsPerFrame", "perfsPerCount")
        return "keycode", {f: getattr(value, f) for f in fields}
    if isinstance(value, OpenEXR.TimeCode):
        return "timecode", _timecode(value)
    if isinstance(value, OpenEXR.PreviewImage):
        px = value.pixels
        return "preview", {"width": px.shape[1], "height": px.shape[0], "rgba": px.tobytes().hex()}
    if isinstance(value, OpenEXR.Bytes):
        return "bytes", {"typeHint": value.type_hint, "data": bytes(value.data).hex()}
    if isinstance(value, OpenEXR.OpaqueAttribute):
        return value.typeName, {"opaque": bytes(value.data).hex()}
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, np.ndarray) for v in value):
        return ("box2i" if value[0].dtype == np.int32 else "box2f"), _box(value)
    if isinstance(value, tuple) and len(value) == 8 and all(isinstance(v, float) for v in value):
        keys = ("redX", "redY", "greenX", "greenY", "blueX", "blueY", "whiteX", "whiteY")
        return "chromaticities", {k: num(v) for k, v in zip(keys, value, strict=True)}
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "stringvector", value
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value):
        return "floatvector", [num(v) for v in value]
    raise TypeError(f"unexpected attribute value {type(value).__name__}: {value!r}")


def _channels(part, with_pixels: bool):
    out = []
    for ch in part.header["channels"]:
        out.append({
            "name": ch.name,
            "pixelType": part.channels[ch.name].type().name if with_pixels else None,
            "xSampling": ch.xSampling,
            "ySampling": ch.ySampling,
            "pLinear": bool(ch.pLinear),
        })
    return out


def report_part(part, with_pixels: bool) -> dict:
    header = part.header
    attributes = {}
    for name, value in header.items():
        if name == "channels":
            attributes[name] = {"type": "chlist", "value": _channels(part, with_pixels)}
            continue
        kind, json_value = attribute(value)
        attributes[name] = {"type": kind, "value": json_value}

    def value_of(name):
        return attributes[name]["value"] if name in attributes else None

    return {
        "name": part.name() or None,
        "type": part.type().name,
        "dataWindow": value_of("dataWindow"),
        "displayWindow": value_of("displayWindow"),
        "channels": value_of("channels"),
        "compression": value_of("compression"),
        "lineOrder": value_of("lineOrder"),
        "tiles": value_of("tiles"),
        "pixelAspectRatio": value_of("pixelAspectRatio"),
        "screenWindowCenter": value_of("screenWindowCenter"),
        "screenWindowWidth": value_of("screenWindowWidth"),
        "attributes": attributes,
    }


def report(path: str) -> dict:
    library = f"OpenEXR {OpenEXR.__version__}"
    with OpenEXR.File(path, separate_channels=True) as f:
        if f.parts:
            return {"library": library, "parts": [report_part(p, True) for p in f.parts]}
    with OpenEXR.File(path, header_only=True) as f:
        return {"library": library, "parts": [report_part(p, False) for p in f.parts]}
