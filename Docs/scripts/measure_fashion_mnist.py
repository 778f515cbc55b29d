#!/usr/bin/env python3
"""Fashion-MNIST test set through aec-encode/aec-decode: mean .aec bytes and mean per-image PSNR per bits.
Usage: python3 Docs/scripts/measure_fashion_mnist.py .build/release [BITS...]   (default bits 2…8; writes the
10,000 PNGs to /tmp/fm/png once)
Needs numpy (pip install numpy)."""
import gzip, os, struct, subprocess, sys, time, zlib
import numpy as np
bindir = sys.argv[1]
root = "/tmp/fm"
data = gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").read()
imgs = np.frombuffer(data, np.uint8, offset=16).reshape(10000, 28, 28)
def png(path, a):
    raw = b"".join(b"\x00" + a[y].tobytes() for y in range(28))
    ch = lambda k, d: struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + ch(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) + ch(b"IDAT", zlib.compress(raw)) + ch(b"IEND", b""))
if not os.path.exists(f"{root}/png/09999.png"):
    os.makedirs(f"{root}/png", exist_ok=True)
    for i in range(10000): png(f"{root}/png/{i:05d}.png", imgs[i])
def read_png(path):
    b = open(path, "rb").read(); pos = 8; idat = b""
    while pos < len(b):
        n, k = struct.unpack(">I4s", b[pos:pos+8]); d = b[pos+8:pos+8+n]; pos += 12 + n
        if k == b"IHDR": w, h, depth, ct = struct.unpack(">IIBB", d[:10])
        if k == b"IDAT": idat += d
    raw = zlib.decompress(idat); assert ct == 0 and depth == 8
    rows = []; prev = bytearray(w)
    for y in range(h):
        f = raw[y*(w+1)]; line = bytearray(raw[y*(w+1)+1:(y+1)*(w+1)])
        for x in range(w):
            a = line[x-1] if x else 0; up = prev[x]; c = prev[x-1] if x else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + up) & 255
            elif f == 3: line[x] = (line[x] + (a + up) // 2) & 255
            elif f == 4:
                p = a + up - c; pa, pb, pc = abs(p-a), abs(p-up), abs(p-c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    return np.frombuffer(b"".join(rows), np.uint8).reshape(h, w)
print("| bits | mean .aec bytes | bits/pixel | mean PSNR (dB) | PSNR of mean MSE (dB) | encode s | decode s |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for bits in [int(b) for b in sys.argv[2:]] or [2, 3, 4, 5, 6, 7, 8]:
    out = f"{root}/aec{bits}"; dec = f"{root}/dec{bits}"
    subprocess.run(["rm", "-rf", out, dec])
    t0 = time.time(); subprocess.run([f"{bindir}/aec-encode", "--quiet", "--bits", str(bits), f"{root}/png", "-o", out], check=True); te = time.time() - t0
    t0 = time.time(); subprocess.run([f"{bindir}/aec-decode", "--quiet", out, "-o", dec], check=True); td = time.time() - t0
    sizes = [os.path.getsize(f"{out}/{i:05d}.aec") for i in range(10000)]
    psnr = []; mses = []
    for i in range(10000):
        d = read_png(f"{dec}/{i:05d}.png").astype(np.float64); m = ((d - imgs[i]) ** 2).mean(); mses.append(m)
        psnr.append(100.0 if m == 0 else 10 * np.log10(255 ** 2 / m))
    print(f"| {bits} | {np.mean(sizes):.2f} | {8*np.mean(sizes)/784:.3f} | {np.mean(psnr):.2f} | {10*np.log10(255**2/np.mean(mses)):.2f} | {te:.1f} | {td:.1f} |", flush=True)
