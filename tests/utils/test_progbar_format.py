"""The progress line: Keras' number and time formats, one line per finished bar in a log, redraws on a terminal."""

import io
import re

import pytest

from glassnet.utils.progbar import Progbar, format_duration, format_elapsed, format_per_unit, format_value


@pytest.mark.parametrize("seconds,text", [
    (0, "0s"), (3.7, "3s"), (59.9, "59s"), (60, "60s"), (61, "1:01"), (125, "2:05"), (3599, "59:59"),
    (3600, "60:00"), (3601, "1:00:01"), (3725, "1:02:05"), (90061, "25:01:01"),
])
def test_format_duration_follows_keras_eta(seconds, text):
    # Keras: "%d:%02d:%02d" above an hour, "%d:%02d" above a minute, else "%ds"
    assert format_duration(seconds) == text


@pytest.mark.parametrize("seconds,text", [(0.2, "0s"), (3.6, "4s"), (125.2, "125s")])
def test_format_elapsed_is_whole_seconds(seconds, text):
    assert format_elapsed(seconds) == text


@pytest.mark.parametrize("seconds,unit,text", [
    (2.0, "step", "2s/step"), (1.0, "step", "1s/step"), (0.0, "step", "0s/step"), (0.0015, "step", "2ms/step"),
    (0.001, "step", "1ms/step"), (8.5e-4, "step", "850us/step"), (3e-6, "sample", "3us/sample"),
])
def test_format_per_unit(seconds, unit, text):
    assert format_per_unit(seconds, unit) == text


@pytest.mark.parametrize("value,text", [
    (0.123456, "0.1235"), (2.5, "2.5000"), (-0.5, "-0.5000"), (0.0011, "0.0011"),
    (0.0005, "5.0000e-04"), (-1e-4, "-1.0000e-04"), (1e-3, "1.0000e-03"), ("n/a", "n/a"),
])
def test_format_value_keras_rule(value, text):
    assert format_value(value) == text


def finished_lines(bar_kwargs, updates):
    stream = io.StringIO()
    bar = Progbar(file=stream, **bar_kwargs)
    for step, values in updates[:-1]:
        bar.update(step, values)
        assert stream.getvalue() == ""  # not a terminal: nothing until the bar is finished
    bar.update(*updates[-1])
    return stream.getvalue()


def test_finished_line_averages_values_over_steps():
    out = finished_lines({"target": 10}, [(5, [("loss", 1.0)]), (10, [("loss", 0.0)])])
    assert out.endswith("\n") and out.count("\n") == 1
    line = out.rstrip("\n")
    assert re.fullmatch(r"10/10 ━{20} \d+s \d+(us|ms|s)/step - loss: 0\.5000", line), line


def test_stateful_metrics_are_shown_as_given():
    out = finished_lines({"target": 4, "stateful_metrics": {"accuracy"}},
                         [(2, [("accuracy", 0.25), ("loss", 2.0)]), (4, [("accuracy", 0.75), ("loss", 1.0)])])
    assert out.rstrip("\n").endswith(" - accuracy: 0.7500 - loss: 1.5000")


def test_count_is_right_aligned_to_the_target_width():
    stream = io.StringIO()
    bar = Progbar(target=120, file=stream)
    bar.update(7, finalize=True)
    assert stream.getvalue().startswith("  7/120 ")
    bar_chars = re.search(r" ([━─]+) ", stream.getvalue()).group(1)
    assert len(bar_chars) == 20 and bar_chars.startswith("━") and bar_chars.endswith("─")


def test_verbose_2_writes_one_short_line():
    out = finished_lines({"target": 10, "verbose": 2}, [(3, [("loss", 3.0)]), (10, [("loss", 1.0)])])
    assert re.fullmatch(r"10/10 - \d+s - \d+(us|ms|s)/step - loss: 1\.6000\n", out), out


def test_verbose_0_writes_nothing():
    stream = io.StringIO()
    bar = Progbar(target=3, verbose=0, file=stream)
    for step in range(1, 4):
        bar.update(step, [("loss", 1.0)])
    assert stream.getvalue() == ""


def test_unknown_target():
    stream = io.StringIO()
    bar = Progbar(target=None, file=stream)
    bar.update(5, [("loss", 0.25)])
    assert stream.getvalue() == ""
    bar.update(9, [("loss", 0.25)], finalize=True)
    assert re.fullmatch(r"9 \d+s \d+(us|ms|s)/step - loss: 0\.2500\n", stream.getvalue())


def test_finishing_twice_writes_once():
    stream = io.StringIO()
    bar = Progbar(target=2, file=stream)
    bar.update(2)
    bar.update(2, finalize=True)
    assert stream.getvalue().count("\n") == 1


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_the_line_is_redrawn_with_carriage_returns_only():
    stream = Terminal()
    bar = Progbar(target=50, file=stream, interval=0.0)
    for step in range(1, 51):
        bar.update(step, [("loss", 1.0 / step)])
    out = stream.getvalue()
    assert "\r" in out  # redrawn in place while running
    assert "\b" not in out and "\x1b[1m" not in out  # no backspaces, no bold escapes
    assert out.rstrip("\n").splitlines()[-1].startswith("50/50 ━")
