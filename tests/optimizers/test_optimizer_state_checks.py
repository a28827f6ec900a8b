"""The checks a loaded optimizer state must pass: a whole, non-negative step count and a finite learning rate."""

import numpy as np
import pytest

from glassnet import optimizers
from glassnet.optimizers.optimizer import MAX_ITERATIONS, check_iterations, check_learning_rate


@pytest.mark.parametrize("value, expected", [(0, 0), (np.array(7, "int32"), 7), (np.array(7, "int64"), 7),
                                             (np.array(12.0), 12), (np.uint32(3), 3), (MAX_ITERATIONS, MAX_ITERATIONS)])
def test_step_counts_that_pass(value, expected):
    result = check_iterations(value)
    assert result == expected and type(result) is int


@pytest.mark.parametrize("value, message", [
    (-1, "from 0 to 2\\*\\*53, got -1"),
    (np.array(-3, "int64"), "got -3"),
    (MAX_ITERATIONS + 1, "from 0 to 2\\*\\*53"),
    (np.array(np.nan), "whole number of steps, got nan"),
    (np.array(np.inf), "whole number of steps, got inf"),
    (2.5, "whole number of steps, got 2.5"),
    (np.array([1, 2]), "single integer, got an array of shape \\(2,\\)"),
    (True, "single integer"),
    ("12", "single integer"),
    (np.array(1 + 2j), "single integer"),
])
def test_step_counts_that_fail(value, message):
    with pytest.raises(ValueError, match="iterations must be .*" + message):
        check_iterations(value)


@pytest.mark.parametrize("value", [0, 0.001, np.float32(0.5), np.array(0.25), 3])
def test_learning_rates_that_pass(value):
    assert check_learning_rate(value) == float(value)


@pytest.mark.parametrize("value, message", [
    (float("nan"), "finite number >= 0, got nan"),
    (np.float32(np.inf), "finite number >= 0, got inf"),
    (-0.1, "finite number >= 0, got -0.1"),
    (True, "a number or a LearningRateSchedule, got True"),
    ("fast", "a number or a LearningRateSchedule, got 'fast'"),
    (np.array([0.1, 0.2]), "got an array of shape \\(2,\\)"),
])
def test_learning_rates_that_fail(value, message):
    with pytest.raises(ValueError, match="learning_rate must be .*" + message):
        check_learning_rate(value)


def test_the_learning_rate_setter_uses_the_same_check():
    optimizer = optimizers.Adam(learning_rate=0.01)
    for bad in (float("nan"), -1.0, float("inf"), True):
        with pytest.raises(ValueError, match="learning_rate must be"):
            optimizer.learning_rate = bad
        assert optimizer.learning_rate == 0.01
    with pytest.raises(ValueError, match="learning_rate must be a finite number"):
        optimizers.SGD(learning_rate=float("nan"))
