"""What OpenImageIO reports about a file's headers, as JSON: the second reference.

OIIO reads EXR through the same OpenEXR library but through its own mapping, and reports less:
no channel sampling or pLinear, no preview/envmap/tiledesc/compression-typed attributes, and
several standard attributes under its own names (see RENAMED). It is the only reader here of the
deepImageState type (the OpenEXR bindings refuse any file that has one), and it hands back a
timecode's packed timeAndFlags, which the bindings cannot. Attributes keep OIIO's names and
TypeDesc names; `exrName` is the attribute's name in the file where OIIO renamed it (from the
rename table of OIIO's exrinput.cpp), and OIIO's own inventions are listed in INVENTED.
"""

import numpy as np
import OpenImageIO as oiio
from report_openexr import num

# OIIO name -> EXR attribute name (OIIO 3.2 src/openexr.imageio/exrinput.cpp, exr_tag_to_oiio_std
# and the keyCode/timeCode "elevation"). OIIO reports every lineOrder-typed attribute as
# openexr:lineOrder and every deepImageState-typed one as openexr:deepImageState, whatever its
# name (the last one read wins where a part has several).
RENAMED = {
    "worldtocamera": "cameraTransform",
    "DateTime": "capDate",
    "ImageDescription": "comments",
    "Copyright": "owner",
    "PixelAspectRatio": "pixelAspectRatio",
    "XResolution": "xDensity",
    "ExposureTime": "expTime",
    "FNumber": "aperture",
    "openexr:chunkCount": "chunkCount",
    "openexr:maxSamplesPerPixel": "maxSamplesPerPixel",
    "openexr:dwaCompressionLevel": "dwaCompressionLevel",
    "smpte:KeyCode": "keyCode",
    "smpte:TimeCode": "timeCode",
    "openexr:lineOrder": "lineOrder",
}

# Metadata OIIO derives or invents; no attribute of the file carries it under this name.
INVENTED = {
    "compression",  # from the compression attribute, lower-case ("zip"); compared separately
    "oiio:subimages",
    "oiio:subimagename",  # the part's name attribute
    "oiio:ColorSpace",
    "oiio:updirection",
    "oiio:sampleborder",
    "openexr:roundingmode",  # from the tiles attribute
    "textureformat",  # from envmap or the tiles' level mode
    "YResolution",  # copied from xDensity
    "ResolutionUnit",
    "oiio:RowsPerChunk",  # the compression's scanlines per chunk
    "oiio:miplevels",  # the number of MIP levels
    "thumbnail_width",  # the preview's size
    "thumbnail_height",
    "thumbnail_nchannels",
}

_PIXEL_TYPES = {"half": "HALF", "float": "FLOAT", "uint": "UINT", "uint32": "UINT"}


def _value(value):
    if isinstance(value, tuple):
        return [_value(v) for v in value]
    if isinstance(value, float):
        return num(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, np.ndarray):  # uint8[n]: bytes and opaque attributes
        return value.astype(np.uint8).tobytes().hex()
    return value


def _part(inp, index: int) -> dict:
    if not inp.seek_subimage(index, 0):
        raise RuntimeError(inp.geterror())
    spec = inp.spec()
    formats = list(spec.channelformats) or [spec.format] * spec.nchannels
    attributes = {}
    for attr in spec.extra_attribs:
        entry = {"type": str(attr.type), "value": _value(attr.value)}
        if attr.name in RENAMED:
            entry["exrName"] = RENAMED[attr.name]
        if attr.name in INVENTED:
            entry["invented"] = True
        attributes[attr.name] = entry
    return {
        "name": spec.get_string_attribute("oiio:subimagename") or None,
        "deep": bool(spec.deep),
        "dataWindow": {
            "xMin": spec.x,
            "yMin": spec.y,
            "xMax": spec.x + spec.width - 1,
            "yMax": spec.y + spec.height - 1,
        },
        "displayWindow": {
            "xMin": spec.full_x,
            "yMin": spec.full_y,
            "xMax": spec.full_x + spec.full_width - 1,
            "yMax": spec.full_y + spec.full_height - 1,
        },
        "channels": [
            {"name": name, "pixelType": _PIXEL_TYPES[str(fmt)]}
            for name, fmt in zip(spec.channelnames, formats, strict=True)
        ],
        "tileSize": [spec.tile_width, spec.tile_height] if spec.tile_width else None,
        "attributes": attributes,
    }


def report(path: str) -> dict:
    inp = oiio.ImageInput.open(path)
    if inp is None:
        raise RuntimeError(oiio.geterror())
    try:
        count = inp.spec().get_int_attribute("oiio:subimages", 1)
        parts = [_part(inp, i) for i in range(count)]
    finally:
        inp.close()
    return {"library": f"OpenImageIO {oiio.VERSION_STRING}", "parts": parts}
