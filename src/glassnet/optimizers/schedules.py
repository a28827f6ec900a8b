"""Learning-rate schedules: ``schedule(step) -> learning rate``.

Any optimizer accepts one in place of a number for ``learning_rate``; it is
evaluated at the optimizer's iteration count before every update.
"""


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config``."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
