"""Convert scikit-learn's copy of the UCI digits into glassnet's bundled ``digits.npz`` (run once).

The UCI optical-recognition handwritten digits (Alpaydin & Kaynak, CC BY 4.0)
ship with scikit-learn as ``sklearn/datasets/data/digits.csv.gz``: 1,797 rows
of 64 pixel values (0-16) and a label. This writes uint8 images scaled to
0-255 and uint8 labels.

    python tools/make_digits.py src/glassnet/datasets/data/digits.npz
"""

import gzip
import os
import sys

import numpy as np


def main(destination):
    import sklearn

    source = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data", "digits.csv.gz")
    with gzip.open(source, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",")
    pixels, labels = table[:, :-1], table[:, -1]
    images = np.round(pixels * 255.0 / 16.0).astype(np.uint8).reshape(-1, 8, 8)
    np.savez_compressed(destination, images=images, labels=labels.astype(np.uint8))
    print(f"wrote {destination}: {images.shape[0]} images, {os.path.getsize(destination)} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
