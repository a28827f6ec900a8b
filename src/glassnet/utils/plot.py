"""plot_history: the training curves of a History as one PNG.

One subplot per quantity -- the loss first, then each metric -- with the
training curve and, when there is one, the validation curve (``val_`` + the
same name). Drawn with matplotlib's Agg renderer on a Figure object, so it
works without a display and leaves pyplot's state (and a notebook's
backend) untouched. matplotlib is imported only when this is called.
"""

import math
import os


def _import_matplotlib():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            f"plot_history draws with matplotlib, which is not installed ({error}). Install it with: "
            "pip install matplotlib   (or: pip install glassnet[plot])"
        ) from error
    return Figure, FigureCanvasAgg


def _as_dict(history):
    if isinstance(history, dict):
        return history
    logs = getattr(history, "history", None)
    if isinstance(logs, dict):
        return logs
    raise TypeError(
        "plot_history expects the History returned by fit() (or its .history dict), "
        f"got {type(history).__name__}"
    )


def _metric_names(logs, metrics):
    if metrics is None:
        names = []
        for key in logs:
            name = key[4:] if key.startswith("val_") else key
            if name not in names:
                names.append(name)
        return sorted(names, key=lambda name: name != "loss")  # the loss first, then in the history's order
    if isinstance(metrics, str):
        metrics = [metrics]
    names = [name[4:] if name.startswith("val_") and name[4:] in logs else name for name in metrics]
    missing = [name for name in names if name not in logs and "val_" + name not in logs]
    if missing:
        raise KeyError(f"plot_history: no {missing} in the history; it has {sorted(logs)}")
    return list(dict.fromkeys(names))


def plot_history(history, filename="curves.png", metrics=None):
    """Save the loss and metric curves of ``history`` (train and validation) to a PNG; returns its path.

    Args:
        history: the ``History`` returned by ``fit`` (or its ``.history`` dict).
        filename: where to write the PNG.
        metrics: names to plot (``"loss"``, ``"accuracy"``...); default: the
            loss and every metric in the history, one subplot each.

    Example:
        >>> history = model.fit(x, y, validation_split=0.2, epochs=10)  # doctest: +SKIP
        >>> glassnet.utils.plot_history(history, "curves.png")  # doctest: +SKIP
        'curves.png'
    """
    logs = _as_dict(history)
    if not logs:
        raise ValueError("plot_history: the history is empty (was fit() run for at least one epoch?)")
    names = _metric_names(logs, metrics)
    Figure, FigureCanvasAgg = _import_matplotlib()

    columns = min(len(names), 3)
    rows = math.ceil(len(names) / columns)
    figure = Figure(figsize=(4.5 * columns, 3.5 * rows))
    FigureCanvasAgg(figure)
    epochs_of = getattr(history, "epoch", None)
    for position, name in enumerate(names, start=1):
        axes = figure.add_subplot(rows, columns, position)
        for key, label in ((name, "train"), ("val_" + name, "validation")):
            values = logs.get(key)
            if not values:
                continue
            epochs = [e + 1 for e in epochs_of] if epochs_of and len(epochs_of) == len(values) \
                else list(range(1, len(values) + 1))
            axes.plot(epochs, values, marker="o" if len(values) < 30 else None, markersize=3, label=label)
        axes.set_title(name)
        axes.set_xlabel("epoch")
        axes.grid(True, alpha=0.3)
        axes.legend()
    figure.tight_layout()
    filename = os.fspath(filename)
    directory = os.path.dirname(filename)
    if directory:
        os.makedirs(directory, exist_ok=True)
    figure.savefig(filename, format="png")
    return filename
