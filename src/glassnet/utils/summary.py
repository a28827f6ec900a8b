"""``model.summary()``: the layer table Keras 3 prints, character for character.

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 128)            │       100,480 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 100,480 (392.50 KB)

Keras draws the table with the ``rich`` library; this module reproduces
rich's layout without depending on it: the column widths Keras asks for
(``positions`` of ``line_length``, which defaults to 88 — 108 with the
"Connected to" column of a branching functional model — or the terminal
width minus 4), narrowed as rich narrows fixed-width columns, and cell text
wrapped at spaces as rich wraps it.
"""

import re

import numpy as np

from glassnet import config
from glassnet.utils import io_utils


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


def shape_text(shape):
    """Keras' shape text: ``(None, 128)``; several outputs as ``[(None, 4), (None, 3)]``."""
    if shape is None:
        return "?"
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {shape_text(v)}" for k, v in shape.items()) + "}"
    if isinstance(shape, list):
        return shape_text(shape[0]) if len(shape) == 1 else "[" + ", ".join(shape_text(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _layer_shape(layer):
    """A layer's output shape from its last symbolic call, else from the shape it was built with."""
    if layer._inbound_nodes:
        from glassnet.models.functional import _shapes_of

        return _shapes_of(layer._inbound_nodes[-1].outputs)
    if layer._build_shapes is not None:
        try:
            return layer.compute_output_shape(layer._build_shapes)
        except Exception:  # a layer that cannot tell: shown as "?", as Keras does
            return None
    return None


def _layer_fields(model, layer, shape, sequential_like, show_trainable, prefix=""):
    params = f"{_count(layer.weights):,}" if layer.built else "0 (unbuilt)"
    fields = [f"{prefix}{layer.name} ({type(layer).__name__})", shape_text(shape), params]
    if not sequential_like:
        fields.append(model.layer_connections(layer))
    if show_trainable:
        fields.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    return fields


def _rows(model, sequential_like, expand_nested, show_trainable, layer_range):
    if hasattr(model, "layer_output_shapes"):
        shapes = model.layer_output_shapes()
    else:
        shapes = [_layer_shape(layer) for layer in model.layers]
    layers = list(model.layers)
    start, stop = layer_index_bounds(layers, layer_range)
    rows = []
    for layer, shape in list(zip(layers, shapes))[start:stop]:
        rows.append(_layer_fields(model, layer, shape, sequential_like, show_trainable))
        if expand_nested:
            rows.extend(_nested_rows(model, layer, 1, sequential_like, show_trainable))
    return rows


def _nested_rows(model, layer, level, sequential_like, show_trainable):
    rows = []
    for inner in getattr(layer, "layers", None) or []:
        rows.append(_layer_fields(model, inner, _layer_shape(inner), sequential_like, show_trainable,
                                  prefix="   " * level + "└ "))
        rows.extend(_nested_rows(model, inner, level + 1, sequential_like, show_trainable))
    return rows


def layer_index_bounds(layers, layer_range=None):
    """[first, last + 1] of the layers whose names match ``layer_range`` (two names or regexes)."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range):
        raise ValueError(f"layer_range must be two layer names (or regexes), got {layer_range!r}")
    first = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    last = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not first or not last:
        raise ValueError(f"layer_range {layer_range!r} matches no layer; layers: {[layer.name for layer in layers]}")
    return first[0], last[-1] + 1


# --- rich's table layout ------------------------------------------------------------------------------------------
def _ratio_reduce(total, ratios, maximums, values):
    """rich's ``ratio_reduce``: take ``total`` away from ``values`` in proportion to ``ratios``."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    remaining, result = total, []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def column_widths(line_length, positions):
    """The widths (padding included) rich gives Keras' fixed-width columns in a table ``line_length`` wide."""
    widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    padded = [w + 2 for w in widths]
    available = line_length - (len(widths) + 1)  # the vertical borders
    if sum(padded) > available:
        padded = _ratio_reduce(sum(padded) - available, [1] * len(padded), padded, padded)
    return padded


def _divide_line(text, width):
    """rich's ``divide_line`` (without folding): where to break ``text`` so lines fit in ``width``."""
    breaks, offset = [], 0
    for match in re.finditer(r"\s*\S+\s*", text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # a word wider than the column gets a line of its own (then an ellipsis)
            if start:
                breaks.append(start)
            offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _fit(piece, width):
    """rich's ``truncate(overflow="ellipsis")``."""
    return piece if len(piece) <= width else piece[: width - 1] + "…"


def wrap_cell(text, width, align):
    """The lines of one cell, each exactly ``width`` characters (rich's wrapping in a table cell)."""
    lines = []
    for line in text.split("\n"):
        cuts = [0] + _divide_line(line, width) + [len(line)]
        for a, b in zip(cuts, cuts[1:]):
            piece = _fit(line[a:b].rstrip(), width)
            if align == "right":
                lines.append(piece.rjust(width))
            elif align == "center":
                left = (width - len(piece)) // 2
                lines.append(" " * left + piece + " " * (width - len(piece) - left))
            else:
                lines.append(piece.ljust(width))
    return lines


def render_table(headers, rows, widths, aligns):
    """The lines of a rich ``Table`` with HEAVY_HEAD borders and a line between rows."""
    def rule(left, fill, middle, right):
        return left + middle.join(fill * w for w in widths) + right

    def row_lines(values, border):
        cells = [wrap_cell(str(v), w - 2, a) for v, w, a in zip(values, widths, aligns)]
        height = max(len(c) for c in cells)
        cells = [c + [" " * (w - 2)] * (height - len(c)) for c, w in zip(cells, widths)]
        return [border + border.join(f" {cell[i]} " for cell in cells) + border for i in range(height)]

    out = [rule("┏", "━", "┳", "┓")] + row_lines(headers, "┃") + [rule("┡", "━", "╇", "┩")]
    for index, row in enumerate(rows):
        out.extend(row_lines(row, "│"))
        if index < len(rows) - 1:
            out.append(rule("├", "─", "┼", "┤"))
    out.append(rule("└", "─", "┴", "┘"))
    return out


# --- totals -------------------------------------------------------------------------------------------------------
def optimizer_variable_count(optimizer):
    """Keras counts the iteration counter, the learning rate and every slot."""
    if optimizer is None or not optimizer.built:
        return 0
    return 2 + sum(int(a.size) for a in optimizer.variables[1:])


def _totals(model):
    trainable = model.trainable_weights if model.built else []
    non_trainable = model.non_trainable_weights if model.built else []
    optimizer_count = optimizer_variable_count(getattr(model, "optimizer", None)) if getattr(model, "compiled", False) \
        else 0
    optimizer_bytes = optimizer_count * 4
    total = _count(trainable) + _count(non_trainable) + optimizer_count
    total_bytes = _bytes(trainable) + _bytes(non_trainable) + optimizer_bytes
    lines = [f" Total params: {total:,} ({readable_size(total_bytes)})",
             f" Trainable params: {_count(trainable):,} ({readable_size(_bytes(trainable))})",
             f" Non-trainable params: {_count(non_trainable):,} ({readable_size(_bytes(non_trainable))})"]
    if optimizer_count:
        lines.append(f" Optimizer params: {optimizer_count:,} ({readable_size(optimizer_bytes)})")
    return lines


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                  layer_range=None):
    """Write the summary of ``model`` line by line with ``print_fn`` (print by default)."""
    import shutil

    print_fn = print_fn or (print if config.is_interactive_logging_enabled() else io_utils.print_msg)
    sequential_like = not hasattr(model, "is_sequential_like") or model.is_sequential_like()
    if sequential_like:
        default, positions = 88, positions or [0.45, 0.80, 1.0]
        headers, aligns = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        aligns = ["left", "left", "right", "left"]
    if show_trainable:
        default += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        headers, aligns = headers + ["Trainable"], aligns + ["center"]
    console = shutil.get_terminal_size().columns
    line_length = line_length or min(default, console - 4)
    if positions[-1] <= 1:
        positions = list(positions)
    else:  # absolute positions, as Keras also accepts
        positions = [p / line_length for p in positions]
    rows = _rows(model, sequential_like, expand_nested, show_trainable, layer_range)
    table = render_table(headers, rows, column_widths(line_length, positions), aligns)
    lines = [f'Model: "{model.name}"'] + [line[:console] for line in table]  # rich crops what the console cannot show
    if not model.built:
        lines.append(" The model is not built yet: call it on data, fit it, or start it with keras.Input(shape=...)")
    lines.extend(_totals(model))
    for line in lines:
        print_fn(line)
