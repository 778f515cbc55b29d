#!/usr/bin/env python3
"""Regenerates the PNGs in Samples/ (run from the repository root; needs dataset-fashion-mnist).

- fashion-0.png … fashion-7.png: the first 8 Fashion-MNIST test images (28×28 grayscale; Fashion-MNIST is
  MIT-licensed, Copyright (c) 2017 Zalando SE).
- mosaic-280x280.png: the first 100 test images as a 10×10 grayscale mosaic.
- gradient-rgb-61x45.png: a synthetic RGB image whose size is not a multiple of 28.
- ramp-rgba-30x30.png: a synthetic RGBA image (alpha varies).
- strip-1x100.png: a one-pixel-wide grayscale ramp.
- photo-cat-160x120.png: a photograph, the 160×120 crop at (120, 40) of scikit-image's chelsea.png (CC0,
  photographer Stefan van der Walt; photos/validation/chelsea.png, which scripts/photos/make_photos.sh builds).
  Made only when that file is there, with Pillow (e.g. .build-photos/venv/bin/python Samples/make_samples.py).
Otherwise only the standard library is used: PNGs are written with zlib by hand.
"""
import gzip, struct, zlib

def png(path, width, height, channels, rows):
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))

with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as f:
    data = f.read()
images = [data[16 + i * 784: 16 + (i + 1) * 784] for i in range(100)]

for i in range(8):
    png(f"Samples/fashion-{i}.png", 28, 28, 1, [images[i][y * 28:(y + 1) * 28] for y in range(28)])

mosaic = [[images[(Y // 28) * 10 + X // 28][(Y % 28) * 28 + X % 28] for X in range(280)] for Y in range(280)]
png("Samples/mosaic-280x280.png", 280, 280, 1, mosaic)

png("Samples/gradient-rgb-61x45.png", 61, 45, 3,
    [[v for x in range(61) for v in (x * 255 // 60, y * 255 // 44, (x + y) * 255 // 104)] for y in range(45)])
png("Samples/ramp-rgba-30x30.png", 30, 30, 4,
    [[v for x in range(30) for v in (255 - x * 8, y * 8, 128, (x * y) % 256)] for y in range(30)])
png("Samples/strip-1x100.png", 1, 100, 1, [[y * 255 // 99] for y in range(100)])

try:
    from PIL import Image
    Image.open("photos/validation/chelsea.png").crop((120, 40, 280, 160)).save("Samples/photo-cat-160x120.png")
except (ImportError, FileNotFoundError) as error:
    print(f"photo-cat-160x120.png left as it is ({error})")
