"""ActivityRegularization: the identity that adds l1 * sum|x| + l2 * sum x^2 of its output to the loss."""

from glassnet import regularizers
from glassnet.layers.core.identity import Identity


class ActivityRegularization(Identity):
    """y = x; the loss gains l1 * sum(|y|) + l2 * sum(y^2) (an ``L1L2`` activity regularizer)."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self.activity_regularizer = regularizers.L1L2(l1=self.l1, l2=self.l2)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
