"""The Keras-style progress line, drawn with tqdm.

    1875/1875 ━━━━━━━━━━━━━━━━━━━━ 3s 1ms/step - accuracy: 0.9259 - loss: 0.2599

During an epoch the time shown is the estimated time left; at the end it is
the time taken, in seconds. On a terminal (or in a notebook) the line is redrawn at most
every ``interval`` seconds; in a log file only the finished line is written.
``verbose=2`` writes one short line per epoch and no bar.
"""

import sys
import time

from glassnet import config
from glassnet.utils import io_utils


def format_duration(seconds):
    """The time left: ``3s``, ``60s``, ``1:05``, ``1:02:03``, as Keras writes it (whole seconds, cut)."""
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def format_elapsed(seconds):
    """The time taken, on a finished line: always seconds, rounded (``3s``, ``125s``), as Keras writes it."""
    return f"{seconds:.0f}s"


def format_per_unit(seconds, unit="step"):
    """``1ms/step``, ``850us/step``, ``2s/step``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def format_value(value):
    """Four decimals, or scientific notation for tiny numbers (Keras' rule).

    A metric with several values (F1Score per class, Precision at several
    thresholds) shows their mean, as Keras' progress bar does.
    """
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float)) for v in value):
        value = sum(value) / len(value)
    elif getattr(value, "ndim", 0) and getattr(value, "size", 0):
        value = value.mean()
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) > 1e-3 or value == 0 else f"{value:.4e}"


def _is_dynamic(stream):
    """True on a terminal or in a Jupyter kernel, where a line can be redrawn."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


class Progbar:
    """A progress line for ``target`` steps (``keras.utils.Progbar``).

    ``update(current, values)`` records progress; ``values`` is a list of
    ``(name, value)``. Names in ``stateful_metrics`` are shown as given;
    others are averaged over the steps seen, as Keras does.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step",
                 file=None):
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.stateful_metrics = stateful_metrics if stateful_metrics is not None else ()
        self.unit_name = unit_name
        self.file = file or sys.stdout
        self.dynamic = _is_dynamic(self.file)
        self._values = {}
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._seen = 0
        self._bar = None
        self._finished = False

    def update(self, current, values=None, finalize=None):
        """Record that ``current`` steps are done; redraw if it is time to."""
        self._record(current, values)
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if finalize:
            self._finish()
            return
        if self.verbose == 1 and self.dynamic and config.is_interactive_logging_enabled():
            now = time.monotonic()
            if now - self._last_draw >= self.interval:
                self._last_draw = now
                self._draw(self._line(now, final=False))

    def add(self, n, values=None):
        self.update(self._seen + n, values)

    def _record(self, current, values):
        steps = max(current - self._seen, 1)
        for name, value in values or ():
            if name in self.stateful_metrics:
                self._values[name] = value
            else:
                total, count = self._values.get(name) or (0.0, 0)
                self._values[name] = (total + float(value) * steps, count + steps)
        self._seen = current

    def _metric_text(self):
        """`` - name: value`` for each value, running averages resolved."""
        text = ""
        for name, value in self._values.items():
            if isinstance(value, tuple):
                value = value[0] / max(value[1], 1)
            text += f" - {name}: {format_value(value)}"
        return text

    def _line(self, now, final):
        from tqdm import tqdm

        elapsed = now - self._start
        per_step = elapsed / self._seen if self._seen else 0.0
        if final:
            timing = f"{format_elapsed(elapsed)} {format_per_unit(per_step, self.unit_name)}"
        else:
            remaining = per_step * (self.target - self._seen) if self.target else 0.0
            timing = f"{format_duration(remaining)} {format_per_unit(per_step, self.unit_name)}"
        if self.target is None:
            return f"{self._seen} {timing}{self._metric_text()}"
        count_width = len(str(self.target))
        bar_format = f"{{n_fmt:>{count_width}}}/{{total_fmt}} {{bar:{self.width}}} {{desc}}"
        return tqdm.format_meter(self._seen, self.target, elapsed, ascii="─━", bar_format=bar_format,
                                 prefix=timing + self._metric_text())

    def _short_line(self, now):
        elapsed = now - self._start
        per_step = elapsed / self._seen if self._seen else 0.0
        count = f"{self._seen}/{self.target}" if self.target else f"{self._seen}"
        return (f"{count} - {format_elapsed(elapsed)} - {format_per_unit(per_step, self.unit_name)}"
                f"{self._metric_text()}")

    def _draw(self, line):
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=self.target, file=self.file, bar_format="{desc}", leave=False,
                             dynamic_ncols=True, mininterval=0)
        self._bar.set_description_str(line)

    def _finish(self):
        if self._finished:
            return
        self._finished = True
        now = time.monotonic()
        if self._bar is not None:
            self._bar.close()
        if self.verbose == 1:
            self._write(self._line(now, final=True))
        elif self.verbose == 2:
            self._write(self._short_line(now))

    def _write(self, line):
        """A finished line to ``file``, or to the logger when interactive logging is off (as in Keras)."""
        if not config.is_interactive_logging_enabled():
            io_utils.print_msg(line)
            return
        self.file.write(line + "\n")
        self.file.flush()
