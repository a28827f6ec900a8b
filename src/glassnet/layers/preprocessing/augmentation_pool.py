"""The pool of augmentations RandAugment and AugMix choose from, made as Keras makes them from one factor.

With ``factor`` (lower, upper) in [0, 1]: shear, translation and rotation by up to ``factor``,
brightness, colour degeneration, contrast and sharpness with ``factor``, solarization with ``factor``
as both addition and threshold, posterization to max(1, int(8 upper)) bits, and the deterministic
AutoContrast and Equalization. All draw from the owner's seed generator.
"""

from glassnet.autodiff.tensor import Tensor
from glassnet.layers.preprocessing.auto_contrast import AutoContrast
from glassnet.layers.preprocessing.equalization import Equalization
from glassnet.layers.preprocessing.random_brightness import RandomBrightness
from glassnet.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from glassnet.layers.preprocessing.random_contrast import RandomContrast
from glassnet.layers.preprocessing.random_posterization import RandomPosterization
from glassnet.layers.preprocessing.random_rotation import RandomRotation
from glassnet.layers.preprocessing.random_sharpness import RandomSharpness
from glassnet.layers.preprocessing.random_shear import RandomShear
from glassnet.layers.preprocessing.random_translation import RandomTranslation
from glassnet.layers.preprocessing.solarization import Solarization

GEOMETRIC_AND_TONAL = ["random_shear", "random_translation", "random_rotation", "random_posterization",
                       "solarization", "auto_contrast", "equalization"]
COLOUR = ["random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness"]


def make_pool(owner, factor, value_range, interpolation, names):
    """{name: layer} for ``names``, every layer drawing from ``owner``'s seed generator."""
    lower, upper = factor
    pair = [lower, upper]
    makers = {
        "random_shear": lambda: RandomShear(x_factor=pair, y_factor=pair, interpolation=interpolation),
        "random_translation": lambda: RandomTranslation(pair, pair, interpolation=interpolation),
        "random_rotation": lambda: RandomRotation(pair, interpolation=interpolation),
        "random_brightness": lambda: RandomBrightness(pair, value_range=value_range),
        "random_color_degeneration": lambda: RandomColorDegeneration(pair, value_range=value_range),
        "random_contrast": lambda: RandomContrast(pair, value_range=value_range),
        "random_sharpness": lambda: RandomSharpness(pair, value_range=value_range),
        "solarization": lambda: Solarization(pair, pair, value_range=value_range),
        "random_posterization": lambda: RandomPosterization(max(1, int(8 * upper)), value_range=value_range),
        "auto_contrast": lambda: AutoContrast(value_range=value_range),
        "equalization": lambda: Equalization(value_range=value_range),
    }
    pool = {}
    for name in names:
        layer = makers[name]()
        layer._seed_generator = owner._seed_generator
        pool[name] = layer
    return pool


def apply(layer, images):
    """One pool layer's training-time transform of a channels-last float batch (an array)."""
    return layer.augment(Tensor(images)).data
