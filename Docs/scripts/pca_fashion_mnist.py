#!/usr/bin/env python3
"""A linear yardstick for the code sizes: PCA with k components, fitted on the 60,000 Fashion-MNIST
training images, applied to the 10,000 test images; the reconstruction is rounded to 8 bits and scored
like aec-bench (mean per-image PSNR). No quantization of the k coefficients: an upper bound for a linear
transform of that size, not a codec.

    python3 Docs/scripts/pca_fashion_mnist.py [K ...]        (default: 49 98 196 392)
"""
import gzip
import sys

import numpy as np

FOLDER = "/usr/share/datasets/fashion-mnist/"


def load(name):
    with gzip.open(FOLDER + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float64) / 255


def main():
    ks = [int(k) for k in sys.argv[1:]] or [49, 98, 196, 392]
    train, test = load("train-images-idx3-ubyte.gz"), load("t10k-images-idx3-ubyte.gz")
    mean = train.mean(axis=0)
    centred = train - mean
    _, vectors = np.linalg.eigh(centred.T @ centred / len(train))
    vectors = vectors[:, ::-1]                      # largest variance first
    for k in ks:
        basis = vectors[:, :k]                      # [784, k]
        reconstruction = (test - mean) @ basis @ basis.T + mean
        decoded = np.clip(np.round(reconstruction * 255), 0, 255) / 255
        mse = ((decoded - test) ** 2).mean(axis=1)
        psnr = np.where(mse > 0, 10 * np.log10(1 / np.maximum(mse, 1e-12)), 100)
        print(f"PCA {k:3d} components (7×7×{k / 49:g} values): mean PSNR {psnr.mean():.2f} dB")


if __name__ == "__main__":
    main()
