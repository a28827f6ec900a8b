from glassnet.layers.reshaping.flatten import Flatten
from glassnet.layers.reshaping.reshape import Reshape
