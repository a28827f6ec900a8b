from glassnet.layers.preprocessing.center_crop import CenterCrop
from glassnet.layers.preprocessing.normalization import Normalization
from glassnet.layers.preprocessing.random_contrast import RandomContrast
from glassnet.layers.preprocessing.random_crop import RandomCrop
from glassnet.layers.preprocessing.random_flip import RandomFlip
from glassnet.layers.preprocessing.random_rotation import RandomRotation
from glassnet.layers.preprocessing.random_translation import RandomTranslation
from glassnet.layers.preprocessing.random_zoom import RandomZoom
from glassnet.layers.preprocessing.rescaling import Rescaling
from glassnet.layers.preprocessing.resizing import Resizing
from glassnet.utils.lazy_exports import lazy_exports

# the categorical, spectral and rarer image layers: class name -> module
_RARE = {
    "CategoryEncoding": "category_encoding", "Hashing": "hashing", "HashedCrossing": "hashed_crossing",
    "Discretization": "discretization",
    "RandomBrightness": "random_brightness", "RandomGrayscale": "random_grayscale", "RandomHue": "random_hue",
    "RandomSaturation": "random_saturation", "RandomSharpness": "random_sharpness", "RandomShear": "random_shear",
    "RandomInvert": "random_invert", "RandomPosterization": "random_posterization", "Solarization": "solarization",
    "RandomErasing": "random_erasing", "RandomGaussianBlur": "random_gaussian_blur",
    "RandomColorJitter": "random_color_jitter", "RandomColorDegeneration": "random_color_degeneration",
    "AutoContrast": "auto_contrast", "Equalization": "equalization", "MixUp": "mix_up", "CutMix": "cut_mix",
    "RandomPerspective": "random_perspective", "RandomElasticTransform": "random_elastic_transform",
    "MelSpectrogram": "mel_spectrogram", "STFTSpectrogram": "stft_spectrogram",
    "RandAugment": "rand_augment", "AugMix": "aug_mix",
}

# The text layers load on first use (their module imports more than the image layers need).
__getattr__, __dir__, load_all = lazy_exports(globals(), {
    "IntegerLookup": "glassnet.layers.preprocessing.integer_lookup",
    "StringLookup": "glassnet.layers.preprocessing.string_lookup",
    "TextVectorization": "glassnet.layers.preprocessing.text_vectorization",
    **{name: f"glassnet.layers.preprocessing.{module}" for name, module in _RARE.items()},
})
