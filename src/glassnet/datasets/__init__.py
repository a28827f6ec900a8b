"""Datasets, as ``keras.datasets``: mnist, fashion_mnist, imdb, and the bundled digits."""

from glassnet.datasets import digits, fashion_mnist, imdb, mnist
