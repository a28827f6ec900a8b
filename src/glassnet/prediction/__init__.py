"""Applying a trained model to files: ``glassnet predict MODEL FILE [FILE ...]``.

``inputs`` turns image files (PNG, JPEG, ...) and ``.npy`` arrays into the
model's input; ``command`` runs the model and reports the top classes.
"""
