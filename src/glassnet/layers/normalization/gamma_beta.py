"""What the normalization layers share: the learned scale and offset ``y = gamma * x_hat + beta``.

``scale=False`` drops gamma and ``center=False`` drops beta (each is then
None). These helpers store their initializers, regularizers and
constraints and create the two weights; each layer's ``get_config`` lists
them itself, in Keras' order for that layer.
"""

from glassnet import constraints, initializers, regularizers


def set_gamma_beta_arguments(layer, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                             beta_constraint, gamma_constraint):
    """Store the constructor's arguments on ``layer`` as objects ("zeros" -> an initializer)."""
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def add_gamma_beta(layer, shape):
    """Create ``layer.gamma`` (if ``layer.scale``) and ``layer.beta`` (if ``layer.center``) of ``shape``."""
    layer.gamma = layer.add_weight(shape=shape, initializer=layer.gamma_initializer, name="gamma",
                                   regularizer=layer.gamma_regularizer, constraint=layer.gamma_constraint) \
        if layer.scale else None
    layer.beta = layer.add_weight(shape=shape, initializer=layer.beta_initializer, name="beta",
                                  regularizer=layer.beta_regularizer, constraint=layer.beta_constraint) \
        if layer.center else None

