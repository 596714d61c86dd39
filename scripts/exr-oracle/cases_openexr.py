"""The files written with OpenEXR's own library (its Python bindings).

Each case is (name, description, write(path)). The bindings cannot write subsampled channels
(they reject arrays of another shape than the data window's), cannot write the deepImageState
type, and write only level 0 of MIPMAP/RIPMAP files (the other levels' offset-table entries stay 0,
as in a file whose writing was interrupted): mipmaps are written by OpenImageIO instead
(cases_oiio.py), and the ripmap files here carry `incomplete` in the manifest.
"""

import OpenEXR as X
from attributes import every_type_attributes, long_name_attributes, many_attributes
from pixels import channels, deep_channels

RGBA = {"A": "HALF", "B": "HALF", "G": "HALF", "R": "HALF"}

COMPRESSIONS = [
    "NO", "RLE", "ZIPS", "ZIP", "PIZ", "PXR24", "B44", "B44A", "DWAA", "DWAB",
    # Newer than the OpenEXR 2 format document: HTJ2K (3.4), ZSTD (3.5). LJ2K (3.5) is left
    # out: the 3.5.3 bindings fail to write it.
    "HTJ2K256", "HTJ2K32", "ZSTD",
]


def tiles(x: int, y: int, mode=X.ONE_LEVEL, rounding=X.ROUND_DOWN) -> X.TileDescription:
    t = X.TileDescription()
    t.xSize, t.ySize, t.mode, t.roundingMode = x, y, mode, rounding
    return t


def window(x: int, y: int, width: int, height: int):
    return ((x, y), (x + width - 1, y + height - 1))


def write(path, header: dict, chans: dict) -> None:
    with X.File(header, chans) as f:
        f.write(str(path))


def write_parts(path, parts: list) -> None:
    with X.File(parts) as f:
        f.write(str(path))


def _compression_case(index: int, short: str):
    comp = getattr(X, f"{short}_COMPRESSION")
    # 300 lines: more than one chunk even at 256 lines per chunk; origins differ per file.
    x0, y0 = index * 7 - 40, index * 11 - 60
    header = {
        "compression": comp,
        "dataWindow": window(x0, y0, 24, 300),
        "displayWindow": window(0, 0, 64, 256),
    }
    spec = {**RGBA, "Z": "FLOAT", "id": "UINT"}

    def run(path):
        write(path, header, channels(300, 24, spec))

    name = f"scanline_{'none' if short == 'NO' else short.lower()}"
    return name, f"scanline, {short}_COMPRESSION, 24x300 at ({x0},{y0}), half/float/uint", run


def _tiled(name, desc, td, compression, line_order=X.INCREASING_Y, origin=(0, 0), size=(45, 37)):
    header = {
        "type": X.tiledimage,
        "tiles": td,
        "compression": compression,
        "lineOrder": line_order,
        "dataWindow": window(*origin, *size),
        "displayWindow": window(0, 0, 48, 40),
    }

    def run(path):
        write(path, header, channels(size[1], size[0], {"B": "HALF", "G": "HALF", "R": "HALF"}))

    return name, desc, run


def _layers(path):
    spec = {
        **RGBA, "Z": "FLOAT", "id": "UINT", "depth.Z": "FLOAT", "diffuse.R": "HALF",
        "diffuse.G": "HALF", "diffuse.B": "HALF", "specular.indirect.R": "FLOAT",
        "crypto.00.id": "UINT", "ümlaut.Y": "HALF",
    }
    header = {"compression": X.ZIP_COMPRESSION, "dataWindow": window(3, 2, 20, 18),
              "displayWindow": window(0, 0, 25, 21)}
    write(path, header, channels(18, 20, spec, p_linear=("depth.Z", "diffuse.G")))


def _decreasing(path):
    header = {"compression": X.RLE_COMPRESSION, "lineOrder": X.DECREASING_Y,
              "dataWindow": window(0, 0, 16, 40), "displayWindow": window(0, 0, 16, 40)}
    write(path, header, channels(40, 16, {"Y": "HALF", "id": "UINT"}))


def _windows(path):
    header = {
        "compression": X.PIZ_COMPRESSION,
        "dataWindow": window(-37, -11, 50, 31),
        "displayWindow": window(-100, -50, 200, 100),
        "pixelAspectRatio": 1.7777777910232544,
        "screenWindowCenter": (0.25, -0.5),
        "screenWindowWidth": 2.5,
    }
    write(path, header, channels(31, 50, {"Y": "FLOAT"}))


def _outside(path):
    # A data window wholly outside the display window, and a 1x1 display window.
    header = {"compression": X.ZIPS_COMPRESSION, "dataWindow": window(100, 200, 5, 3),
              "displayWindow": window(0, 0, 1, 1)}
    write(path, header, channels(3, 5, {"Y": "HALF"}))


def _single_pixel(path):
    header = {"compression": X.NO_COMPRESSION, "dataWindow": window(-1, -1, 1, 1),
              "displayWindow": window(-1, -1, 1, 1)}
    write(path, header, channels(1, 1, {"R": "FLOAT"}))


def _attrs(attrs):
    def run(path):
        header = {"compression": X.NO_COMPRESSION, **attrs(),
                  "dataWindow": window(0, 0, 4, 3), "displayWindow": window(0, 0, 4, 3)}
        write(path, header, channels(3, 4, {"B": "HALF", "G": "HALF", "R": "HALF"}))
    return run


def _long_names(path):
    long_channel = "layer_with_a_long_name_of_forty_bytes.R"
    header = {"compression": X.ZIP_COMPRESSION, **long_name_attributes(),
              "dataWindow": window(0, 0, 4, 3), "displayWindow": window(0, 0, 4, 3)}
    write(path, header, channels(3, 4, {long_channel: "HALF", "x" * 255: "FLOAT", "R": "HALF"}))


def _long_channel_name(path):
    # Only a channel name is over 31 bytes: that alone sets the long-names bit.
    header = {"compression": X.RLE_COMPRESSION, "dataWindow": window(0, 0, 4, 3),
              "displayWindow": window(0, 0, 4, 3)}
    write(path, header, channels(3, 4, {"c" * 32: "HALF"}))


def _long_type_name(path):
    # Only an attribute's type name is over 31 bytes: that alone sets the long-names bit.
    header = {"compression": X.RLE_COMPRESSION, "dataWindow": window(0, 0, 4, 3),
              "displayWindow": window(0, 0, 4, 3),
              "opaque": X.OpaqueAttribute(b"\x00", "t" * 32)}
    write(path, header, channels(3, 4, {"Y": "HALF"}))


def _multipart_mixed(path):
    h, w = 24, 20
    parts = [
        X.Part({"compression": X.ZIP_COMPRESSION, "dataWindow": window(0, 0, w, h),
                "displayWindow": window(0, 0, w, h), "view": "left", "owner": "part 0"},
               channels(h, w, RGBA), "beauty"),
        X.Part({"type": X.tiledimage, "tiles": tiles(8, 8), "compression": X.PIZ_COMPRESSION,
                "dataWindow": window(-4, 2, w, h), "displayWindow": window(0, 0, w, h),
                "myInt": 7},
               channels(h, w, {"N.X": "FLOAT", "N.Y": "FLOAT", "N.Z": "FLOAT"}), "normals"),
        X.Part({"type": X.deepscanline, "compression": X.ZIPS_COMPRESSION,
                "dataWindow": window(1, 1, 9, 7), "displayWindow": window(0, 0, w, h)},
               deep_channels(7, 9, {"A": "HALF", "Z": "FLOAT"}), "deep.scan"),
        X.Part({"type": X.deeptile, "tiles": tiles(4, 4), "compression": X.RLE_COMPRESSION,
                "dataWindow": window(0, 0, 9, 7), "displayWindow": window(0, 0, w, h)},
               deep_channels(7, 9, {"Z": "FLOAT", "id": "UINT"}), "deep.tiles"),
        X.Part({"type": X.tiledimage, "tiles": tiles(16, 4), "compression": X.DWAA_COMPRESSION,
                "lineOrder": X.RANDOM_Y, "dataWindow": window(0, 0, w, h),
                "displayWindow": window(0, 0, w, h), "view": "right"},
               channels(h, w, {"Y": "HALF"}), "a part name longer than thirty-one bytes"),
    ]
    write_parts(path, parts)


def _multipart_scanline(path):
    comps = [X.NO_COMPRESSION, X.RLE_COMPRESSION, X.ZIP_COMPRESSION, X.PXR24_COMPRESSION,
             X.B44A_COMPRESSION, X.DWAB_COMPRESSION, X.HTJ2K32_COMPRESSION, X.ZIPS_COMPRESSION]
    parts = [
        X.Part({"compression": c, "dataWindow": window(i, -i, 12, 40 + i),
                "displayWindow": window(0, 0, 12, 40), "frameIndex": i},
               channels(40 + i, 12, {"Y": "HALF"}), f"part{i}")
        for i, c in enumerate(comps)
    ]
    write_parts(path, parts)


# Deep parts take NONE, RLE and ZIPS only (the library refuses ZIP: "Compression type in header
# not valid for deep data").
def _deep_scanline(compression, origin):
    def run(path):
        header = {"type": X.deepscanline, "compression": compression,
                  "dataWindow": window(*origin, 11, 37), "displayWindow": window(0, 0, 11, 37)}
        write(path, header, deep_channels(37, 11, {"A": "HALF", "Z": "FLOAT", "ZBack": "FLOAT"}))
    return run


def _deep_tiled(compression, td):
    def run(path):
        header = {"type": X.deeptile, "tiles": td, "compression": compression,
                  "dataWindow": window(-3, 5, 13, 10), "displayWindow": window(0, 0, 16, 16)}
        write(path, header, deep_channels(10, 13, {"R": "HALF", "Z": "FLOAT", "id": "UINT"}))
    return run


def cases():
    out = [_compression_case(i, c) for i, c in enumerate(COMPRESSIONS)]
    out += [
        ("channels_layers", "half/float/uint channels with layer names, pLinear on two", _layers),
        ("scanline_decreasing_y", "scanline RLE, DECREASING_Y line order", _decreasing),
        ("windows_negative", "negative data window origin, non-default pixel aspect ratio "
         "and screen window", _windows),
        ("windows_outside", "data window outside the display window", _outside),
        ("single_pixel", "a 1x1 image at (-1,-1)", _single_pixel),
        _tiled("tiled_one_level", "tiled 16x16 ONE_LEVEL ZIP, data window at (5,-3)",
               tiles(16, 16), X.ZIP_COMPRESSION, origin=(5, -3)),
        _tiled("tiled_random_y", "tiled 32x8 ONE_LEVEL RLE, RANDOM_Y", tiles(32, 8),
               X.RLE_COMPRESSION, X.RANDOM_Y),
        _tiled("tiled_decreasing_y", "tiled 7x5 ONE_LEVEL NONE, DECREASING_Y", tiles(7, 5),
               X.NO_COMPRESSION, X.DECREASING_Y),
        _tiled("tiled_dwab", "tiled 64x64 ONE_LEVEL DWAB (one tile)", tiles(64, 64),
               X.DWAB_COMPRESSION),
        _tiled("tiled_ripmap_round_down", "tiled 16x16 RIPMAP_LEVELS ROUND_DOWN (level 0 only)",
               tiles(16, 16, X.RIPMAP_LEVELS, X.ROUND_DOWN), X.NO_COMPRESSION),
        _tiled("tiled_ripmap_round_up", "tiled 8x4 RIPMAP_LEVELS ROUND_UP (level 0 only)",
               tiles(8, 4, X.RIPMAP_LEVELS, X.ROUND_UP), X.RLE_COMPRESSION, origin=(-2, -2)),
        ("multipart_mixed", "5 parts: scanline, tiled, deep scanline, deep tiled, tiled "
         "RANDOM_Y; views", _multipart_mixed),
        ("multipart_scanline_8", "8 scanline parts, 8 compressions", _multipart_scanline),
        ("deep_scanline_zips", "deep scanline ZIPS", _deep_scanline(X.ZIPS_COMPRESSION, (-4, -9))),
        ("deep_scanline_rle", "deep scanline RLE", _deep_scanline(X.RLE_COMPRESSION, (0, 0))),
        ("deep_tiled_none", "deep tiled 4x4 NONE", _deep_tiled(X.NO_COMPRESSION, tiles(4, 4))),
        ("deep_tiled_zips", "deep tiled 8x3 ZIPS", _deep_tiled(X.ZIPS_COMPRESSION, tiles(8, 3))),
        ("attrs_every_type", "an attribute of every type the bindings write, edge values",
         _attrs(every_type_attributes)),
        ("attrs_many", "300 attributes", _attrs(many_attributes)),
        ("long_names", "attribute, type and channel names of 32 to 255 bytes", _long_names),
        ("long_channel_name", "one channel name of 32 bytes, nothing else long", _long_channel_name),
        ("long_type_name", "one attribute type name of 32 bytes, nothing else long",
         _long_type_name),
    ]
    return out


INCOMPLETE = {"tiled_ripmap_round_down", "tiled_ripmap_round_up"}


# The parts of a multi-part file share their displayWindow (and pixelAspectRatio, timeCode,
# chromaticities): the library refuses others.
SHARED_DISPLAY = window(0, 0, 8, 8)


def _self_check_parts():
    """Parts whose chunkCount attribute (computed by the library) checks chunks.py."""
    parts = []
    modes = [(X.MIPMAP_LEVELS, X.ROUND_DOWN), (X.MIPMAP_LEVELS, X.ROUND_UP),
             (X.RIPMAP_LEVELS, X.ROUND_DOWN), (X.RIPMAP_LEVELS, X.ROUND_UP)]
    for i, (mode, rounding) in enumerate(modes):
        for w, h in [(45, 37), (1, 1), (64, 3), (17, 100)]:
            parts.append(X.Part({"type": X.tiledimage, "tiles": tiles(8, 4, mode, rounding),
                                 "dataWindow": window(0, 0, w, h),
                                 "displayWindow": SHARED_DISPLAY},
                                channels(h, w, {"Y": "HALF"}), f"p{i}_{w}x{h}"))
    for i, c in enumerate(COMPRESSIONS):
        comp = getattr(X, f"{c}_COMPRESSION")
        parts.append(X.Part({"compression": comp, "dataWindow": window(0, 0, 3, 300),
                             "displayWindow": SHARED_DISPLAY},
                            channels(300, 3, {"Y": "HALF"}), f"s{i}"))
    return parts


def write_self_check(path) -> None:
    write_parts(path, _self_check_parts())

