"""AdditiveAttention: Bahdanau-style attention over ``[query, value]`` or ``[query, value, key]``.

    scores_ts = sum_d scale_d * tanh(Q_td + K_sd)      (scale: a learned vector of size d when use_scale)

then, as in ``Attention``, a masked softmax over s and the weighted sum of the values.
"""

from glassnet import ops
from glassnet.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive attention layer: ``AdditiveAttention()([query, value])``.

    Args:
        use_scale: learn a per-feature scale vector (default True).
        dropout: dropout rate on the attention weights (training only).
        seed: the dropout seed.
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        total = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        if self.scale is not None:
            total = ops.multiply(self.scale, total)
        return ops.sum(total, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
