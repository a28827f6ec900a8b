"""Saving and loading models and weights in Keras 3's formats."""
