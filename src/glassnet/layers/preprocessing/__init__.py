from glassnet.layers.preprocessing.normalization import Normalization
from glassnet.layers.preprocessing.random_contrast import RandomContrast
from glassnet.layers.preprocessing.random_flip import RandomFlip
from glassnet.layers.preprocessing.random_rotation import RandomRotation
from glassnet.layers.preprocessing.random_translation import RandomTranslation
from glassnet.layers.preprocessing.random_zoom import RandomZoom
from glassnet.layers.preprocessing.rescaling import Rescaling
