import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # compare.py, the Keras side-by-side helpers
