"""Datasets, as ``keras.datasets``: mnist, fashion_mnist, and the bundled digits."""
