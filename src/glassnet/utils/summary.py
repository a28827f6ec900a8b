"""``model.summary()``: the layer table Keras 3 prints, with the same counts.

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 128)            │       100,480 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 100,480 (392.50 KB)
"""

import numpy as np


def readable_size(num_bytes):
    """``397.54 KB``: bytes in B, KB, MB, GB (powers of 1024), two decimals."""
    for unit in ("B", "KB", "MB", "GB"):
        if num_bytes < 1024 or unit == "GB":
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024.0
    return f"{num_bytes:.2f} TB"


def _count(weights):
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _bytes(weights):
    return int(sum(int(np.prod(w.shape)) * np.dtype(w.dtype).itemsize for w in weights))


def _shape_text(shape):
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _rows(model):
    """(name and type, output shape, parameter count) for each layer."""
    shapes = model.layer_output_shapes() if hasattr(model, "layer_output_shapes") else [None] * len(model.layers)
    rows = []
    for layer, shape in zip(model.layers, shapes):
        params = _count(layer.weights) if layer.built else None
        rows.append((f"{layer.name} ({type(layer).__name__})", _shape_text(shape),
                     "0 (unbuilt)" if params is None else f"{params:,}"))
    return rows


def _table(headers, rows, widths):
    def line(left, fill, middle, right):
        return left + middle.join(fill * (w + 2) for w in widths) + right

    def cells(values, border):
        padded = [f" {v:<{w}} " if i < len(widths) - 1 else f" {v:>{w}} "
                  for i, (v, w) in enumerate(zip(values, widths))]
        return border + border.join(padded) + border

    out = [line("┏", "━", "┳", "┓"), cells(headers, "┃"), line("┡", "━", "╇", "┩")]
    for i, row in enumerate(rows):
        out.append(cells(row, "│"))
        if i < len(rows) - 1:
            out.append(line("├", "─", "┼", "┤"))
    out.append(line("└", "─", "┴", "┘"))
    return out


def optimizer_variable_count(optimizer):
    """Keras counts the iteration counter, the learning rate and every slot."""
    if optimizer is None or not optimizer.built:
        return 0
    return 2 + sum(int(a.size) for a in optimizer.variables[1:])


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False):
    """Write the summary of ``model`` with ``print_fn`` (print by default)."""
    print_fn = print_fn or print
    headers = ["Layer (type)", "Output Shape", "Param #"]
    rows = _rows(model)
    widths = [max(31, *(len(r[0]) for r in rows)) if rows else 31,
              max(22, *(len(r[1]) for r in rows)) if rows else 22,
              13]
    lines = [f'Model: "{model.name}"'] + _table(headers, rows, widths)
    if not model.built:
        lines.append(" The model is not built yet: call it on data, fit it, or start it with keras.Input(shape=...)")
    trainable = model.trainable_weights if model.built else []
    non_trainable = model.non_trainable_weights if model.built else []
    optimizer_count = optimizer_variable_count(getattr(model, "optimizer", None))
    optimizer_bytes = optimizer_count * 4
    total = _count(trainable) + _count(non_trainable) + optimizer_count
    total_bytes = _bytes(trainable) + _bytes(non_trainable) + optimizer_bytes
    lines.append(f" Total params: {total:,} ({readable_size(total_bytes)})")
    lines.append(f" Trainable params: {_count(trainable):,} ({readable_size(_bytes(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} ({readable_size(_bytes(non_trainable))})")
    if optimizer_count:
        lines.append(f" Optimizer params: {optimizer_count:,} ({readable_size(optimizer_bytes)})")
    for line in lines:
        print_fn(line)
