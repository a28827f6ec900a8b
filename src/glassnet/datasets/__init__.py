"""Datasets, as ``keras.datasets``: mnist, fashion_mnist, and the bundled digits."""

from glassnet.datasets import digits, fashion_mnist, mnist
