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
from glassnet.layers.preprocessing import _RARE as _preprocessing_rare
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
    **dict.fromkeys(_preprocessing_rare, "glassnet.layers.preprocessing"),
    **dict.fromkeys(["Bidirectional", "TimeDistributed", "Wrapper"], "glassnet.layers.wrappers"),
    "SpectralNormalization": "glassnet.layers.normalization.spectral_normalization",
    "ReversibleEmbedding": "glassnet.layers.core.reversible_embedding",
    "Pipeline": "glassnet.layers.core.pipeline",
    # the 3-D, adaptive and rarely used layers
    **dict.fromkeys(["Conv3D", "Convolution3D"], "glassnet.layers.convolutional.conv3d"),
    **dict.fromkeys(["Conv3DTranspose", "Convolution3DTranspose"], "glassnet.layers.convolutional.conv3d_transpose"),
    **dict.fromkeys(["SeparableConv1D", "SeparableConvolution1D"], "glassnet.layers.convolutional.separable_conv1d"),
    "DepthwiseConv1D": "glassnet.layers.convolutional.depthwise_conv1d",
    "ConvLSTM3D": "glassnet.layers.rnn.conv_lstm3d",
    **dict.fromkeys(["MaxPooling3D", "MaxPool3D", "AveragePooling3D", "AvgPool3D"],
                    "glassnet.layers.pooling.pooling3d"),
    **dict.fromkeys(["GlobalAveragePooling3D", "GlobalAvgPool3D", "GlobalMaxPooling3D", "GlobalMaxPool3D"],
                    "glassnet.layers.pooling.global_pooling3d"),
    **dict.fromkeys([f"Adaptive{kind}Pooling{rank}D" for kind in ("Average", "Max") for rank in (1, 2, 3)],
                    "glassnet.layers.pooling.adaptive_pooling"),
    "Cropping3D": "glassnet.layers.reshaping.cropping3d",
    "UpSampling3D": "glassnet.layers.reshaping.up_sampling3d",
    "ZeroPadding3D": "glassnet.layers.reshaping.zero_padding3d",
    "SpatialDropout3D": "glassnet.layers.regularization.spatial_dropout3d",
    "AlphaDropout": "glassnet.layers.regularization.alpha_dropout",
    "ActivityRegularization": "glassnet.layers.regularization.activity_regularization",
    "RMSNormalization": "glassnet.layers.normalization.rms_normalization",
}
__getattr__, __dir__, load_all = lazy_exports(globals(), _LAZY)

Convolution2D = Conv2D
Convolution1D = Conv1D
Convolution1DTranspose = Conv1DTranspose
MaxPool2D, MaxPool1D, AvgPool2D, AvgPool1D = MaxPooling2D, MaxPooling1D, AveragePooling2D, AveragePooling1D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Conv2DTranspose
