#!/usr/bin/env python3
"""Writes N Fashion-MNIST training images as 28×28 grayscale PNGs into a tree, 1,000 per folder
(OUT/000/00000.png …), for measuring runs over many small files (Docs/SCALING.md).

    python3 Docs/scripts/fashion_mnist_tree.py 100000 /tmp/fm-100k

Needs dataset-fashion-mnist; only the standard library (PNGs written with zlib by hand). Images past the
60,000 of the training set repeat from the start.
"""
import gzip, os, struct, sys, zlib

def png(path, pixels):
    raw = b"".join(b"\x00" + pixels[y * 28:(y + 1) * 28] for y in range(28))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

count, out = int(sys.argv[1]), sys.argv[2]
with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
    data = f.read()[16:]
available = len(data) // 784
for i in range(count):
    folder = os.path.join(out, f"{i // 1000:03d}")
    if i % 1000 == 0:
        os.makedirs(folder, exist_ok=True)
    j = i % available
    png(os.path.join(folder, f"{i:05d}.png"), data[j * 784:(j + 1) * 784])
