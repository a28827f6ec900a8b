"""Layers, as ``keras.layers``."""

from glassnet.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from glassnet.layers.attention import (
    AdditiveAttention, Attention, GroupedQueryAttention, GroupQueryAttention, MultiHeadAttention,
)
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
    CenterCrop, IntegerLookup, Normalization, RandomContrast, RandomCrop, RandomFlip, RandomRotation,
    RandomTranslation, RandomZoom, Rescaling, Resizing, StringLookup, TextVectorization,
)
from glassnet.layers.regularization import (
    Dropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D,
)
from glassnet.layers.reshaping import (
    Cropping1D, Cropping2D, Flatten, Permute, RepeatVector, Reshape, UpSampling1D, UpSampling2D, ZeroPadding1D,
    ZeroPadding2D,
)
from glassnet.layers.rnn import (
    GRU, LSTM, RNN, ConvLSTM1D, ConvLSTM2D, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells,
)
from glassnet.layers.serialization import deserialize, serialize
from glassnet.layers.wrappers import Bidirectional, TimeDistributed

Convolution2D = Conv2D
Convolution1D = Conv1D
Convolution1DTranspose = Conv1DTranspose
MaxPool2D, MaxPool1D, AvgPool2D, AvgPool1D = MaxPooling2D, MaxPooling1D, AveragePooling2D, AveragePooling1D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D
