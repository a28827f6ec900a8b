from glassnet.layers.core.activation import Activation
from glassnet.layers.core.dense import Dense
from glassnet.layers.core.embedding import Embedding
from glassnet.layers.core.identity import Identity
from glassnet.layers.core.input_layer import Input, InputLayer
from glassnet.layers.core.lambda_layer import Lambda
from glassnet.layers.core.masking import Masking
from glassnet.layers.core.einsum_dense import EinsumDense
