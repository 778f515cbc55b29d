#!/usr/bin/env python3
"""Writes large synthetic test PNGs for memory and speed measurements (Docs/PERFORMANCE.md).

    python3 Docs/scripts/large_images.py OUT_FOLDER SIDE [SIDE ...]

For each SIDE it writes gray-SIDE.png and rgb-SIDE.png: smooth gradients, rings and a seeded noise
texture, so that every tile is different (no flat tiles) and the images compress like busy pictures.
Needs numpy; the pixels depend only on SIDE.
"""
import struct
import sys
import zlib
from pathlib import Path

import numpy as np


def png_bytes(pixels: np.ndarray) -> bytes:
    height, width = pixels.shape[:2]
    colour_type = 0 if pixels.ndim == 2 else 2
    rows = pixels.reshape(height, -1)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b""))


def picture(side: int, channels: int) -> np.ndarray:
    rng = np.random.default_rng(side)
    y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side
    planes = []
    for c in range(channels):
        base = 0.5 + 0.25 * np.sin(6.0 * x + 2.0 * c) * np.cos(5.0 * y - c)
        rings = 0.15 * np.sin(40.0 * np.hypot(x - 0.3 - 0.2 * c, y - 0.6))
        noise = 0.08 * rng.standard_normal((side, side)).astype(np.float32)
        planes.append(np.clip(255.0 * (base + rings + noise), 0, 255).astype(np.uint8))
    return planes[0] if channels == 1 else np.stack(planes, axis=-1)


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for side in map(int, sys.argv[2:]):
        for name, channels in (("gray", 1), ("rgb", 3)):
            path = out / f"{name}-{side}.png"
            path.write_bytes(png_bytes(picture(side, channels)))
            print(path)


if __name__ == "__main__":
    main()
