"""The activation layers with arguments of their own: ReLU, LeakyReLU, PReLU, ELU, Softmax."""

from glassnet.layers.activations.elu import ELU
from glassnet.layers.activations.leaky_relu import LeakyReLU
from glassnet.layers.activations.prelu import PReLU
from glassnet.layers.activations.relu import ReLU
from glassnet.layers.activations.softmax import Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
