"""Models, as ``keras.models``."""

from glassnet.models.model import Model
from glassnet.models.sequential import Sequential
