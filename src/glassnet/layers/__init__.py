"""Layers, as ``keras.layers``.

The activation, attention, recurrent and text layers are imported on first
use (``glassnet.utils.lazy_exports``): ``layers.LSTM`` works as always, and
``import glassnet`` does not pay for them.
"""

from glassnet.layers.convolutional import (
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D,
)
from glassnet.layers.core import (
    Activation, Dense, EinsumDense, Embedding, Identity, Input, InputLayer, Lambda, Masking,
)
from glassnet.layers.input_spec import InputSpec
from glassnet.layers.keras_tensor import KerasTensor
from glassnet.layers.layer import Layer
from glassnet.layers.merging import (
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average, concatenate, dot, maximum,
    minimum, multiply, subtract,
)
from glassnet.layers.normalization import (
    BatchNormalization, GroupNormalization, LayerNormalization, UnitNormalization,
)
from glassnet.layers.pooling import (
    AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
    GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D,
)
from glassnet.layers.preprocessing import (
    CenterCrop, Normalization, RandomContrast, RandomCrop, RandomFlip, RandomRotation, RandomTranslation, RandomZoom,
    Rescaling, Resizing,
)
from glassnet.layers.regularization import (
    Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
)
from glassnet.layers.reshaping import (
    Cropping1D, Cropping2D, Flatten, Permute, RepeatVector, Reshape, UpSampling1D, UpSampling2D, ZeroPadding1D,
    ZeroPadding2D,
)
from glassnet.layers.serialization import deserialize, serialize
from glassnet.utils.lazy_exports import lazy_exports

_LAZY = {
    **dict.fromkeys(["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"], "glassnet.layers.activations"),
    **dict.fromkeys(["AdditiveAttention", "Attention", "GroupedQueryAttention", "GroupQueryAttention",
                     "MultiHeadAttention"], "glassnet.layers.attention"),
    **dict.fromkeys(["GRU", "LSTM", "RNN", "ConvLSTM1D", "ConvLSTM2D", "GRUCell", "LSTMCell", "SimpleRNN",
                     "SimpleRNNCell", "StackedRNNCells"], "glassnet.layers.rnn"),
    **dict.fromkeys(["IntegerLookup", "StringLookup", "TextVectorization"], "glassnet.layers.preprocessing"),
    **dict.fromkeys(["Bidirectional", "TimeDistributed"], "glassnet.layers.wrappers"),
}
__getattr__, __dir__, load_all = lazy_exports(globals(), _LAZY)

Convolution2D = Conv2D
Convolution1D = Conv1D
Convolution1DTranspose = Conv1DTranspose
MaxPool2D, MaxPool1D, AvgPool2D, AvgPool1D = MaxPooling2D, MaxPooling1D, AveragePooling2D, AveragePooling1D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D
