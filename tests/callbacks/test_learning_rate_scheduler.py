"""LearningRateScheduler: schedule(epoch, lr) sets the rate at each epoch start; History records learning_rate."""

import numpy as np
import pytest
from _callback_helpers import small_data, small_model

import glassnet as gn
from glassnet.callbacks import LambdaCallback, LearningRateScheduler


def fit_with(schedule, epochs=4, learning_rate=0.1, **kwargs):
    x, y = small_data()
    model = small_model(optimizer=gn.optimizers.SGD(learning_rate))
    in_steps = []
    record = LambdaCallback(on_train_batch_begin=lambda batch, logs: in_steps.append(model.optimizer.learning_rate))
    history = model.fit(x, y, epochs=epochs, batch_size=20, verbose=0,
                        callbacks=[LearningRateScheduler(schedule, **kwargs), record])
    return model, history, in_steps


def test_sets_the_rate_before_each_epoch_and_history_records_it():
    model, history, in_steps = fit_with(lambda epoch, lr: 0.1 / (epoch + 1))
    expected = [0.1, 0.05, 0.1 / 3, 0.025]
    assert in_steps == pytest.approx(np.repeat(expected, 2))  # two steps per epoch, each at its epoch's rate
    assert history.history["learning_rate"] == pytest.approx(expected)
    assert model.optimizer.learning_rate == pytest.approx(0.025)


def test_the_schedule_gets_the_current_rate():
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return lr * 0.5

    fit_with(schedule, epochs=3, learning_rate=0.8)
    assert seen == [(0, pytest.approx(0.8)), (1, pytest.approx(0.4)), (2, pytest.approx(0.2))]


def test_old_one_argument_schedules_work():
    _, history, _ = fit_with(lambda epoch: 0.01 * (epoch + 1), epochs=3)
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.02, 0.03])


def test_numpy_floats_are_accepted():
    _, history, _ = fit_with(lambda epoch, lr: np.float32(0.5) * lr, epochs=2, learning_rate=1.0)
    assert history.history["learning_rate"] == pytest.approx([0.5, 0.25])


def test_a_non_float_result_is_refused_as_in_keras():
    with pytest.raises(ValueError, match="The output of the `schedule` function should be a float"):
        fit_with(lambda epoch, lr: 1)


def test_verbose_prints_the_rate(capsys):
    fit_with(lambda epoch, lr: 0.5, epochs=1, verbose=1)
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.5." in capsys.readouterr().out


def test_learning_rate_reaches_the_progress_bar(capsys):
    x, y = small_data()
    model = small_model()
    model.fit(x, y, epochs=1, verbose=2, callbacks=[LearningRateScheduler(lambda epoch, lr: 0.02)])
    assert "learning_rate: 0.0200" in capsys.readouterr().out
