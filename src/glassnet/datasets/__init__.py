"""Datasets, as ``keras.datasets``: mnist, fashion_mnist, imdb, cifar10, cifar100, and the bundled digits."""

from glassnet.datasets import cifar10, cifar100, digits, fashion_mnist, imdb, mnist
