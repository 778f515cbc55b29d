#!/usr/bin/env python3
"""Build the aec photo set from photographs bundled inside pinned PyPI wheels.

Run it through scripts/photos/make_photos.sh, which makes the venv with the
pinned package versions; this script only reads files that the wheels ship
(it imports none of those packages and downloads nothing).

For every entry of PHOTOS it
  * finds the file inside the installed distribution (importlib.metadata),
  * checks the source file's SHA-256 against the table (so a different package
    version that changed the picture is an error, not a silent change),
  * decodes it with Pillow and writes it as an 8-bit PNG (gray stays gray,
    colour is RGB; no metadata, no ICC profile, no timestamps, fixed zlib level),
  * puts it into OUT/<split>/<name>.png following the fixed table below,
and then writes OUT/manifest.tsv.

Same pinned packages -> same bytes. `pixels_sha256` in the manifest hashes the
decoded pixels, so it stays comparable even if a different zlib ever produced
different PNG bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata as md
import io
import os
import sys
from pathlib import Path

try:
    from PIL import Image
except ImportError:
    sys.exit("make_photos: error: Pillow is not installed in this Python "
             f"({sys.executable}); run scripts/photos/make_photos.sh")

# ---------------------------------------------------------------------------
# The set. One row per photograph:
#   name, distribution, path inside the distribution, split, mode, source sha256,
#   licence as the package states it.
# Split: train 10 / validation 4 / test 4 (18 photographs, ~56/22/22).
# Test is deliberately varied: a portrait (astronaut), an outdoor landscape
# (china), an object close-up (coffee) and a gray outdoor scene with a person
# (camera). Validation likewise mixes an animal, a plant close-up, gray objects
# and a night scene. Train holds everything else, including the texture
# photographs and the scientific/medical photographs.
# ---------------------------------------------------------------------------
SK, SL, MPL = "scikit-image", "scikit-learn", "matplotlib"

PHOTOS = [
    # ---- test ---------------------------------------------------------------
    ("astronaut", SK, "skimage/data/astronaut.png", "test", "RGB",
     "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
     "public domain (NASA Great Images)"),
    ("china", SL, "sklearn/datasets/images/china.jpg", "test", "RGB",
     "8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29",
     "CC BY 2.0; credit danielbuechele (Flickr)"),
    ("coffee", SK, "skimage/data/coffee.png", "test", "RGB",
     "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
     "CC0 (photographer Rachel Michetti)"),
    ("camera", SK, "skimage/data/camera.png", "test", "L",
     "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
     "CC0 (photographer Lav Varshney)"),
    # ---- validation ---------------------------------------------------------
    ("chelsea", SK, "skimage/data/chelsea.png", "validation", "RGB",
     "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
     "CC0 (photographer Stefan van der Walt)"),
    ("flower", SL, "sklearn/datasets/images/flower.jpg", "validation", "RGB",
     "a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638",
     "CC BY 2.0; README credits danielbuechele, links Flickr user vultilion"),
    ("coins", SK, "skimage/data/coins.png", "validation", "L",
     "f8d773fc9cfa6f4d8e5942dc34d0a0788fcaed2a4fefbbed0aef5398d7ef4cba",
     "no known copyright restrictions (Brooklyn Museum)"),
    ("rocket", SK, "skimage/data/rocket.jpg", "validation", "RGB",
     "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
     "public domain (SpaceX)"),
    # ---- train --------------------------------------------------------------
    ("grace_hopper", MPL, "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
     "train", "RGB",
     "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
     "not stated; JPEG comment names the source "
     "commons.wikimedia.org/wiki/File:Grace_Hopper.jpg"),
    ("motorcycle_left", SK, "skimage/data/motorcycle_left.png", "train", "RGB",
     "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179",
     "not stated; Middlebury 2014 stereo benchmark (Scharstein et al.)"),
    ("hubble_deep_field", SK, "skimage/data/hubble_deep_field.jpg", "train",
     "RGB",
     "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
     "public domain (NASA)"),
    ("retina", SK, "skimage/data/retina.jpg", "train", "RGB",
     "38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6",
     "CC0 1.0 (Mikael Haggstrom, Wikimedia Commons)"),
    ("ihc", SK, "skimage/data/ihc.png", "train", "RGB",
     "f8dd1aa387ddd1f49d8ad13b50921b237df8e9b262606d258770687b0ef93cef",
     "no known copyright restrictions (CMMI)"),
    ("brick", SK, "skimage/data/brick.png", "train", "L",
     "7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf",
     "CC0 (CC0Textures)"),
    ("grass", SK, "skimage/data/grass.png", "train", "L",
     "b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89",
     "CC0 (linolafett, DeviantArt)"),
    ("gravel", SK, "skimage/data/gravel.png", "train", "L",
     "c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12",
     "CC0 (CC0Textures)"),
    ("clock_motion", SK, "skimage/data/clock_motion.png", "train", "L",
     "f029226b28b642e80113d86622e9b215ee067a0966feaf5e60604a1e05733955",
     "public domain (photographer Stefan van der Walt)"),
    ("moon", SK, "skimage/data/moon.png", "train", "L",
     "78739619d11f7eb9c165bb5d2efd4772cee557812ec847532dbb1d92ef71f577",
     "not stated"),
]

# Bundled images deliberately left out (see README.md for the reasoning):
EXCLUDED = {
    "skimage/data/chessboard_GRAY.png": "synthetic pattern",
    "skimage/data/chessboard_RGB.png": "synthetic pattern",
    "skimage/data/color.png": "synthetic colour wheel",
    "skimage/data/phantom.png": "synthetic Shepp-Logan phantom",
    "skimage/data/horse.png": "binary clip-art silhouette",
    "skimage/data/logo.png": "logo / drawing",
    "skimage/data/page.png": "scanned printed text",
    "skimage/data/text.png": "text (corner-detection test image)",
    "skimage/data/cell.png": "computed quantitative-phase image, not a photograph",
    "skimage/data/microaneurysms.png": "102x102 single-channel crop of a fundus image",
    "skimage/data/motorcycle_right.png": "near-duplicate of motorcycle_left (stereo pair)",
    "skimage/data/lfw_subset.npy": "not an image file (25x25 face array)",
    "skimage/data/multipage.tif": "tiny synthetic test file",
    "skimage/data/multipage_rgb.tif": "tiny synthetic test file",
    "skimage/data/no_time_for_that_tiny.gif": "tiny animated GIF",
    "matplotlib/mpl-data/sample_data/Minduka_Present_Blue_Pack.png": "vector clip-art icon",
    "matplotlib/mpl-data/sample_data/logo2.png": "logo",
}

SPLITS = ("train", "validation", "test")
PNG_COMPRESS_LEVEL = 9


def fail(msg: str) -> "NoReturn":  # noqa: F821
    print(f"make_photos: error: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_table() -> None:
    names = [row[0] for row in PHOTOS]
    if len(set(names)) != len(names):
        fail("duplicate name in PHOTOS table")
    for name, _dist, _path, split, mode, _sha, _lic in PHOTOS:
        if split not in SPLITS:
            fail(f"{name}: unknown split {split!r}")
        if mode not in ("L", "RGB"):
            fail(f"{name}: unknown mode {mode!r}")


def locate(dist_name: str, rel_path: str) -> tuple[Path, str]:
    """Path of rel_path inside the installed distribution, and its version."""
    try:
        dist = md.distribution(dist_name)
    except md.PackageNotFoundError:
        fail(f"package {dist_name!r} is not installed in this Python "
             f"({sys.executable}); run scripts/photos/make_photos.sh")
    path = Path(str(dist.locate_file(rel_path)))
    if not path.is_file():
        fail(f"{rel_path} not found in {dist_name} {dist.version} "
             f"(looked at {path}); the pinned version in make_photos.sh "
             f"ships it - is a different version installed?")
    return path, dist.version


def convert(name: str, data: bytes, want_mode: str) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        orientation = im.getexif().get(0x0112, 1)
        if orientation != 1:
            fail(f"{name}: EXIF orientation {orientation} not handled")
        if im.mode != want_mode:
            fail(f"{name}: decoded mode {im.mode}, table says {want_mode}")
        # A fresh image from raw pixels: drops ICC profile, EXIF, text chunks,
        # dpi and anything else Pillow would otherwise carry into the PNG.
        # Pixel values are kept exactly as decoded (no colour management).
        return Image.frombytes(im.mode, im.size, im.tobytes())


def encode_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=PNG_COMPRESS_LEVEL, optimize=False)
    return buf.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def main() -> None:
    repo_root = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=repo_root / "photos",
                    help="output folder (default: <repo>/photos)")
    args = ap.parse_args()
    out: Path = args.out

    check_table()

    # Read and verify every source first, so a problem leaves OUT untouched.
    jobs = []
    for name, dist_name, rel, split, mode, want_sha, lic in PHOTOS:
        src, version = locate(dist_name, rel)
        data = src.read_bytes()
        got = sha256_bytes(data)
        if got != want_sha:
            fail(f"{name}: {dist_name} {version} {rel} has sha256 {got}, "
                 f"expected {want_sha}; the package's picture changed - "
                 f"check it and update the PHOTOS table")
        jobs.append((name, dist_name, version, rel, split, mode, got, lic, data))

    # Remove what an earlier run left in the split folders (only our *.png).
    for split in SPLITS:
        d = out / split
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("*.png"):
            old.unlink()

    rows = []
    for name, dist_name, version, rel, split, mode, src_sha, lic, data in jobs:
        img = convert(name, data, mode)
        png = encode_png(img)
        dest = out / split / f"{name}.png"
        write_atomic(dest, png)
        rows.append({
            "name": name,
            "split": split,
            "file": f"{split}/{name}.png",
            "width": str(img.width),
            "height": str(img.height),
            "mode": "gray" if mode == "L" else "rgb",
            "bytes": str(len(png)),
            "sha256": sha256_bytes(png),
            "pixels_sha256": sha256_bytes(img.tobytes()),
            "source": f"{dist_name}=={version}:{rel}",
            "source_sha256": src_sha,
            "licence": lic,
        })

    order = {s: i for i, s in enumerate(SPLITS)}
    rows.sort(key=lambda r: (order[r["split"]], r["name"]))
    cols = list(rows[0].keys())
    lines = ["\t".join(cols)] + ["\t".join(r[c] for c in cols) for r in rows]
    write_atomic(out / "manifest.tsv", ("\n".join(lines) + "\n").encode("utf-8"))

    total = sum(int(r["bytes"]) for r in rows)
    for split in SPLITS:
        sel = [r for r in rows if r["split"] == split]
        print(f"{split:<10} {len(sel):2d}: " + ", ".join(
            f"{r['name']} {r['width']}x{r['height']} {r['mode']}" for r in sel))
    print(f"wrote {len(rows)} PNGs ({total / 1e6:.2f} MB) and manifest.tsv to {out}")


if __name__ == "__main__":
    main()
