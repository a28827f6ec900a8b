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
}

# The text layers load on first use (their module imports more than the image layers need).
__getattr__, __dir__, load_all = lazy_exports(globals(), {
    "IntegerLookup": "glassnet.layers.preprocessing.integer_lookup",
    "StringLookup": "glassnet.layers.preprocessing.string_lookup",
    "TextVectorization": "glassnet.layers.preprocessing.text_vectorization",
    **{name: f"glassnet.layers.preprocessing.{module}" for name, module in _RARE.items()},
})
