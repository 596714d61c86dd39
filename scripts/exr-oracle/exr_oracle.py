"""Writes a deterministic set of OpenEXR files and what the reference libraries read back from them.

    .venv-oracles/bin/python scripts/exr-oracle/exr_oracle.py OUT_DIR

For every case, OUT_DIR gets <name>.exr and <name>.json, and OUT_DIR/manifest.json lists them.
<name>.json holds:
- "openexr": the headers as OpenEXR's own library reports them (report_openexr.py), the
  reference; {"error": ...} where it cannot read the file (deepImageState);
- "oiio": the headers as OpenImageIO reports them (report_oiio.py), the second reference;
- per part of "openexr", "chunkCount": the part's chunkCount attribute where it has one, else the
  count computed by chunks.py from the library's dataWindow, compression and tiles;
- "expectedFlags": the version field's flag bits a writer must set for what the library reports
  (File Layout: single-part tiled bit 9, long names bit 10 when an attribute name, attribute
  type name or channel name is longer than 31 bytes, non-image bit 11 for deep parts, multipart
  bit 12); the libraries do not expose the version field itself.
The cases are in cases_openexr.py (OpenEXR's bindings write them) and cases_oiio.py (OpenImageIO
writes what the bindings cannot). Used by test/exr/exr.oracle.test.ts.
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside these scripts in the repository

import hashlib  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy  # noqa: E402
import OpenEXR  # noqa: E402
import OpenImageIO  # noqa: E402
import report_oiio  # noqa: E402
from cases_oiio import cases as oiio_cases  # noqa: E402
from cases_openexr import INCOMPLETE, write_self_check  # noqa: E402
from cases_openexr import cases as openexr_cases  # noqa: E402
from chunks import computed_chunk_count  # noqa: E402
from report_openexr import tile_description  # noqa: E402
from report_openexr import report as openexr_report  # noqa: E402


def check_chunk_rules() -> int:
    """chunks.py must agree with the chunkCount attributes the library writes in a multi-part
    file, over every level mode, rounding mode and compression (odd sizes included)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "self-check.exr")
        write_self_check(path)
        with OpenEXR.File(path, header_only=True) as f:
            for part in f.parts:
                h = part.header
                lo, hi = h["dataWindow"]
                described = {
                    "dataWindow": {"xMin": int(lo[0]), "yMin": int(lo[1]),
                                   "xMax": int(hi[0]), "yMax": int(hi[1])},
                    "compression": h["compression"].name,
                    "tiles": tile_description(h["tiles"]) if "tiles" in h else None,
                }
                ours = computed_chunk_count(described)
                if ours != h["chunkCount"]:
                    raise SystemExit(f"chunks.py: part {part.name()}: computed {ours}, "
                                     f"the library wrote chunkCount {h['chunkCount']}")
            return len(f.parts)


def _chunk_counts(report: dict) -> None:
    for part in report["parts"]:
        attr = part["attributes"].get("chunkCount")
        if attr is not None:
            part["chunkCount"] = {"value": attr["value"], "source": "attribute"}
        else:
            part["chunkCount"] = {"value": computed_chunk_count(part), "source": "computed"}


def _pixel_types_from_oiio(openexr: dict, oiio: dict | None) -> None:
    """Where the bindings could not read the pixels (report_openexr.py), OIIO's channel formats."""
    for index, part in enumerate(openexr["parts"]):
        for channel in part["channels"]:
            if channel["pixelType"] is not None:
                continue
            theirs = {c["name"]: c["pixelType"] for c in oiio["parts"][index]["channels"]}
            channel["pixelType"] = theirs[channel["name"]]
            channel["pixelTypeFrom"] = oiio["library"]


def _flags_openexr(report: dict) -> dict:
    parts = report["parts"]
    names = []
    for part in parts:
        for name, attr in part["attributes"].items():
            names += [name, attr["type"]]
        names += [c["name"] for c in part["channels"]]
    return {
        "singlePartTiled": len(parts) == 1 and parts[0]["type"] == "tiledimage",
        "longNames": any(len(n.encode()) > 31 for n in names),
        "nonImage": any(p["type"].startswith("deep") for p in parts),
        "multipart": len(parts) > 1,
    }


def _flags_oiio(report: dict) -> dict:
    parts = report["parts"]
    names = []
    for part in parts:
        names += [a.get("exrName", n) for n, a in part["attributes"].items() if "invented" not in a]
        names += [c["name"] for c in part["channels"]]
    return {
        "singlePartTiled": len(parts) == 1 and parts[0]["tileSize"] is not None
        and not parts[0]["deep"],
        "longNames": any(len(n.encode()) > 31 for n in names),
        "nonImage": any(p["deep"] for p in parts),
        "multipart": len(parts) > 1,
    }


def _read(reader, path: str):
    try:
        return reader(path), None
    except Exception as error:  # noqa: BLE001 - a reference that cannot read a file says so
        return None, f"{type(error).__name__}: {error}"


def generate(out_dir: Path) -> tuple[dict, float]:
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    checked = check_chunk_rules()
    writers = [(f"OpenEXR {OpenEXR.__version__}", openexr_cases()),
               (f"OpenImageIO {OpenImageIO.VERSION_STRING}", oiio_cases())]
    files = []
    for writer, cases in writers:
        for name, description, write in cases:
            exr = out_dir / f"{name}.exr"
            write(exr)
            data = exr.read_bytes()
            openexr, openexr_error = _read(openexr_report, str(exr))
            oiio, oiio_error = _read(report_oiio.report, str(exr))
            if openexr is None and oiio is None:
                raise SystemExit(f"{name}: neither reference reads it: {openexr_error}; {oiio_error}")
            if openexr is not None:
                _chunk_counts(openexr)
                _pixel_types_from_oiio(openexr, oiio)
            doc = {
                "file": exr.name,
                "description": description,
                "writer": writer,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                # Level 0 only: the other levels' offset-table entries are 0 (cases_openexr.py).
                "incomplete": name in INCOMPLETE,
                "expectedFlags": _flags_openexr(openexr) if openexr else _flags_oiio(oiio),
                "openexr": openexr or {"error": openexr_error},
                "oiio": oiio or {"error": oiio_error},
            }
            (out_dir / f"{name}.json").write_text(
                json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
            files.append({k: doc[k] for k in ("file", "description", "writer", "bytes", "sha256",
                                              "incomplete")}
                         | {"json": f"{name}.json",
                            "reference": "openexr" if openexr else "oiio"})
    manifest = {
        "generator": "scripts/exr-oracle/exr_oracle.py",
        "libraries": {
            "OpenEXR": OpenEXR.__version__,
            "OpenImageIO": OpenImageIO.VERSION_STRING,
            "numpy": numpy.__version__,
            "python": sys.version.split()[0],
        },
        "chunkRuleChecks": checked,
        "files": files,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest, time.monotonic() - started


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: exr_oracle.py OUT_DIR", file=sys.stderr)
        return 2
    manifest, seconds = generate(Path(argv[0]))
    print(f"exr-oracle: {len(manifest['files'])} files in {argv[0]} ({seconds:.1f} s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
