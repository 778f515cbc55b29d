#!/usr/bin/env python3
"""The same crop of a photograph from aec, JPEG and WebP at (about) equal bytes, for Docs/BENCHMARKS.md.

    .build-photos/venv/bin/python Docs/scripts/photo_crop.py .build/release photos/test/astronaut.png \
        Docs/images/photo-crop.png [X Y SIZE]

Codes IMAGE with `aec-encode` at its defaults (N bytes), then with JPEG (Pillow's libjpeg, optimized
Huffman tables, 4:2:0) and WebP (Pillow's libwebp, method 6) at the highest quality whose file is at most
N bytes; prints each file's size and whole-image PSNR, and writes the SIZE×SIZE crop at (X, Y) of the
original, aec, JPEG and WebP side by side, each enlarged 2× (nearest neighbour). Needs Pillow (the venv
that scripts/photos/make_photos.sh makes has it).
"""
import io
import math
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image


def psnr(a: Image.Image, b: Image.Image) -> float:
    pa, pb = a.tobytes(), b.tobytes()
    se = sum((x - y) ** 2 for x, y in zip(pa, pb))
    return 10 * math.log10(255 ** 2 * len(pa) / se) if se else float("inf")


def best_under(original: Image.Image, limit: int, encode) -> tuple[int, bytes]:
    """The highest quality (1…95) whose file is at most `limit` bytes, and that file."""
    chosen = (1, encode(original, 1))
    for q in range(2, 96):
        data = encode(original, q)
        if len(data) > limit:
            break
        chosen = (q, data)
    return chosen


def jpeg(image: Image.Image, q: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=q, optimize=True, subsampling=2)
    return out.getvalue()


def webp(image: Image.Image, q: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=q, method=6)
    return out.getvalue()


def main() -> None:
    build, source, target = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    x, y, size = (int(v) for v in sys.argv[4:7]) if len(sys.argv) >= 7 else (180, 60, 128)
    original = Image.open(source).convert("RGB")
    with tempfile.TemporaryDirectory() as folder:
        coded, decoded = Path(folder) / "a.aec", Path(folder) / "a.png"
        subprocess.run([build / "aec-encode", source, "-o", coded, "--quiet"], check=True)
        subprocess.run([build / "aec-decode", coded, "-o", decoded, "--quiet"], check=True)
        limit = coded.stat().st_size
        aec = Image.open(decoded).convert("RGB")
    panels = [("original", original, None), ("aec", aec, limit)]
    for name, encode in (("JPEG", jpeg), ("WebP", webp)):
        q, data = best_under(original, limit, encode)
        panels.append((f"{name} q{q}", Image.open(io.BytesIO(data)).convert("RGB"), len(data)))
    strip = Image.new("RGB", (len(panels) * (2 * size + 8) - 8, 2 * size), "white")
    for i, (name, image, count) in enumerate(panels):
        if count is not None:
            print(f"{name}: {count} bytes, PSNR {psnr(original, image):.2f} dB")
        crop = image.crop((x, y, x + size, y + size)).resize((2 * size, 2 * size), Image.NEAREST)
        strip.paste(crop, (i * (2 * size + 8), 0))
    strip.save(target, optimize=True)


if __name__ == "__main__":
    main()
