"""The files written with OpenImageIO, for what the OpenEXR bindings cannot write.

- MIPMAP files: the bindings write level 0 only; OIIO writes every level (its
  `openexr:roundingmode` picks ROUND_DOWN or ROUND_UP). OIIO stops halving when either side
  reaches 1 while OpenEXR goes on until both do, so the images are near-square (the level counts
  agree).
- deepImageState: OIIO writes it from `openexr:deepImageState`, under that very name (the
  attribute is named "openexr:deepImageState" in the file); the bindings refuse the type.
- A multi-part file as OIIO writes one (subimages), with OIIO's own metadata names mapped to
  OpenEXR's (Copyright -> owner, ImageDescription -> comments, DateTime -> capDate). All its parts
  are scanline: OIIO 3.2 fails on a tiled part after a scanline one ("Can't build a OutputFile
  from a type-mismatched part").
OIIO stamps a DateTime (capDate) of the current time unless one is given: each file gets a fixed
one, so reruns write the same bytes.
"""

import numpy as np
import OpenImageIO as oiio
from pixels import plane

DATE = "2026:01:02 03:04:05"


def _check(ok: bool, out) -> None:
    if not ok:
        raise RuntimeError(out.geterror() or oiio.geterror())


def _rgb(height: int, width: int) -> np.ndarray:
    return np.stack([plane(height, width, "HALF", s) for s in range(3)], axis=-1)


def _mipmap(rounding: int, compression: str):
    def run(path):
        path = str(path)
        spec = oiio.ImageSpec(45, 37, 3, "half")
        spec.tile_width, spec.tile_height = 16, 8
        spec.attribute("textureformat", "Plain Texture")
        spec.attribute("openexr:roundingmode", rounding)
        spec.attribute("compression", compression)
        spec.attribute("DateTime", DATE)
        out = oiio.ImageOutput.create(path)
        _check(out.open(path, spec), out)
        w, h = spec.width, spec.height
        while True:
            _check(out.write_image(_rgb(h, w)), out)
            if w == 1 and h == 1:
                break
            w = max(1, w // 2 if rounding == 0 else (w + 1) // 2)
            h = max(1, h // 2 if rounding == 0 else (h + 1) // 2)
            level = oiio.ImageSpec(spec)
            level.width, level.height, level.full_width, level.full_height = w, h, w, h
            _check(out.open(path, level, "AppendMIPLevel"), out)
        _check(out.close(), out)

    return run


def _deep_state(path):
    path = str(path)
    spec = oiio.ImageSpec(8, 6, 2, "half")
    spec.channelnames = ("A", "Z")
    spec.channelformats = (oiio.TypeDesc("half"), oiio.TypeDesc("float"))
    spec.deep = True
    spec.x, spec.y = -2, 3
    spec.attribute("compression", "zips")
    spec.attribute("openexr:deepImageState", "tidy")
    spec.attribute("DateTime", DATE)
    out = oiio.ImageOutput.create(path)
    _check(out.open(path, spec), out)
    deep = oiio.DeepData()
    deep.init(spec)
    for p in range(spec.width * spec.height):
        deep.set_samples(p, p % 3)
    for p in range(spec.width * spec.height):
        for s in range(deep.samples(p)):
            deep.set_deep_value(p, 0, s, 0.5)
            deep.set_deep_value(p, 1, s, float(p + s))
    _check(out.write_deep_image(deep), out)
    _check(out.close(), out)


def _multipart(path):
    path = str(path)
    first = oiio.ImageSpec(20, 10, 4, "half")
    first.attribute("oiio:subimagename", "rgba")
    first.attribute("compression", "zip")
    first.attribute("Copyright", "seed research")
    first.attribute("ImageDescription", "written by OpenImageIO")
    first.attribute("DateTime", DATE)
    first.attribute("openexr:lineOrder", "decreasingY")
    second = oiio.ImageSpec(33, 17, 1, "float")
    second.channelnames = ("depth.Z",)
    second.x, second.y = 4, -6
    second.attribute("oiio:subimagename", "depth")
    second.attribute("compression", "dwaa:45")
    second.attribute("DateTime", DATE)
    third = oiio.ImageSpec(12, 40, 2, "uint")
    third.channelnames = ("id", "mask.id")
    third.attribute("oiio:subimagename", "ids")
    third.attribute("compression", "rle")
    third.attribute("DateTime", DATE)
    specs = [first, second, third]
    for spec in specs:  # the parts of a multi-part file share their displayWindow
        spec.full_x, spec.full_y, spec.full_width, spec.full_height = 0, 0, 40, 40
    out = oiio.ImageOutput.create(path)
    _check(out.open(path, specs), out)
    for i, spec in enumerate(specs):
        if i:
            _check(out.open(path, spec, "AppendSubimage"), out)
        kind = {"half": "HALF", "float": "FLOAT", "uint": "UINT"}[str(spec.format)]
        data = np.stack([plane(spec.height, spec.width, kind, c) for c in range(spec.nchannels)],
                        axis=-1)
        _check(out.write_image(data), out)
    _check(out.close(), out)


def cases():
    return [
        ("tiled_mipmap_round_down", "tiled 16x8 MIPMAP_LEVELS ROUND_DOWN PIZ, 45x37, all levels "
         "(OpenImageIO)", _mipmap(0, "piz")),
        ("tiled_mipmap_round_up", "tiled 16x8 MIPMAP_LEVELS ROUND_UP ZIP, 45x37, all levels "
         "(OpenImageIO)", _mipmap(1, "zip")),
        ("oiio_deep_state", "deep scanline ZIPS with a deepImageState attribute (OpenImageIO)",
         _deep_state),
        ("oiio_multipart", "3 scanline parts (half DECREASING_Y ZIP, float DWAA, uint RLE) with OIIO's "
         "metadata (OpenImageIO)", _multipart),
    ]
