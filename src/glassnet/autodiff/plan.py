"""A recorded training step that can be replayed on new batches: the ops in order, and where each input comes from.

``Tracer`` watches one eager step (``Function.apply`` and the random masks
of ``ops.dropout`` report to it through ``state.current.plan_trace``) and
writes down, for every op, its class, its keyword parameters and the source
of each input:

    ("var", variable)          a weight: its ``data`` is read at replay time
    ("out", step, index)       an output of an earlier step
    ("batch", i, shape, dtype) the i-th array of the batch (or a reshaped cast of it, as losses make of labels)
    ("const", value)           anything else, which must be the same in every traced step

``Plan`` replays that list with the same ``forward`` and ``backward`` code,
in the same order, summing gradients in the same order as
``autodiff.function.backward``: the results are bit for bit those of the
eager step, without layers, Tensors or the tape walk. Whether a plan may be
used at all (same structure and constants in two traced steps, supported
layers only) is decided by ``trainers/compiled_step.py``.
"""

import numpy as np

from glassnet.autodiff.function import (
    Function,
    _accumulate_leaf,
    _output_gradients,
    topological_order,
    unbroadcast,
)
from glassnet.autodiff.tensor import Tensor
from glassnet.autodiff.variable import Variable


class NotReplayable(Exception):
    """The traced step holds something a plan cannot reproduce."""


class _Mask:
    """A dropout mask drawn from ``generator``: ``(random(shape) >= rate) * 1/(1-rate)``, as ``ops.dropout``."""

    def __init__(self, generator, shape, rate, dtype):
        self.generator, self.shape, self.rate, self.dtype = generator, shape, rate, dtype

    def draw(self):
        keep = self.generator.random(self.shape, dtype=np.float32) >= self.rate
        mask = keep.astype(self.dtype)
        mask *= 1.0 / (1.0 - self.rate)
        return mask

    def signature(self):
        return ("mask", id(self.generator), self.shape, self.rate, np.dtype(self.dtype).str)


class _Effect:
    """``owner.method(*arrays)``, called for what it does, not for a value."""

    def __init__(self, owner, method, as_tensor):
        self.owner, self.method = owner, method
        self.as_tensor = as_tensor  # which arguments were Tensors (given again as Tensors)

    def call(self, arrays):
        getattr(self.owner, self.method)(*(Tensor(a) if t else a for a, t in zip(arrays, self.as_tensor)))

    def signature(self):
        return ("effect", id(self.owner), self.method, self.as_tensor)


class Tracer:
    """Records the ops of one eager step (installed as ``current.plan_trace``)."""

    def __init__(self, batch_arrays):
        self.batch = list(batch_arrays)
        self.batch_ids = {id(a): i for i, a in enumerate(self.batch)}
        self.steps = []  # [cls or _Mask, params, sources, needs, n_outputs]
        self.fn_index = {}  # id(fn) -> step
        self.out_ids = {}  # id(array) -> (step, index)
        self.keep = []  # everything whose id is used as a key stays alive while tracing
        self.error = None
        self.marked = None
        self.order = None

    # --- reports from the eager code ---------------------------------------------------------
    def record(self, cls, params, fn, inputs, out):
        if self.error is not None or self.marked is not None:  # the metrics' ops after the loss are not the step's
            return
        try:
            step = len(self.steps)
            needs = fn.needs_input_grad
            result = tuple(t.data for t in out) if type(out) is tuple else out.data
            sources = [self._source(t) for t in inputs]
            fixed = {}
            for name, value in (params or {}).items():
                if isinstance(value, Function):
                    index = self.fn_index.get(id(value))
                    if index is None:
                        raise NotReplayable(f"parameter {name} is an op outside the step")
                    fixed[name] = ("fn", index)
                elif isinstance(value, (np.ndarray, Tensor)):  # e.g. EmbeddingLookup's ids: may come from the batch
                    fixed[name] = ("src", self._source(value))
                else:
                    fixed[name] = ("src", ("const", value))
            results = result if type(result) is tuple else (result,)
            self.steps.append([cls, fixed, sources, tuple(needs), len(results) if type(result) is tuple else 0])
            self.fn_index[id(fn)] = step
            self.keep.append(fn)
            for index, array in enumerate(results):
                self.out_ids[id(array)] = (step, index)
                self.keep.append(array)
        except NotReplayable as error:
            self.error = str(error)

    def random_mask(self, mask, generator, shape, rate, dtype):
        """``ops.dropout`` drew ``mask``: replay draws it again from the same generator, at the same point."""
        if self.error is not None or self.marked is not None:
            self.error = self.error or "a random draw after the loss"
            return
        step = len(self.steps)
        self.steps.append([_Mask(generator, tuple(shape), rate, dtype), {}, [], (), 0])
        self.out_ids[id(mask)] = (step, 0)
        self.keep.append(mask)

    def effect(self, owner, method, inputs):
        """Replay calls ``getattr(owner, method)(*arrays)`` here: a side effect or check outside the ops
        (BatchNormalization's moving statistics, Embedding's id check)."""
        if self.error is not None or self.marked is not None:
            self.error = self.error or "a side effect after the loss"
            return
        try:
            sources = [self._source(t) for t in inputs]
        except NotReplayable as error:
            self.error = str(error)
            return
        as_tensor = tuple(isinstance(t, Tensor) for t in inputs)
        self.steps.append([_Effect(owner, method, as_tensor), {}, sources, (), 0])

    def mark(self, y_pred, loss):
        """The step's outputs: called by ``train_step`` after the loss, before backward (which frees the graph)."""
        self.marked = (y_pred, loss)
        if self.error is not None or not isinstance(loss, Tensor) or not loss.requires_grad or loss.creator is None:
            return
        try:
            graph = topological_order(loss.creator)
            self.order = [self.fn_index[id(fn)] for fn in graph]
        except (KeyError, RuntimeError):
            self.error = "the loss's graph holds ops outside the step"
            return
        for fn in graph:
            for t in fn.inputs:
                if isinstance(t, Tensor) and t.requires_grad and t.creator is None and not isinstance(t, Variable):
                    self.error = "a gradient flows into a tensor that is not a weight"

    # --- sources ----------------------------------------------------------------------------
    def _source(self, t):
        if isinstance(t, Tensor):
            if t.creator is not None:
                index = self.fn_index.get(id(t.creator))
                if index is None:
                    raise NotReplayable("an input made by an op outside the step")
                return ("out", index, t.output_index)
            if isinstance(t, Variable):
                return ("var", t)
            t = t.data
        if isinstance(t, np.ndarray):
            known = self.out_ids.get(id(t))
            if known is not None:
                return ("out",) + known
            i = self.batch_ids.get(id(t))
            if i is not None:
                return ("batch", i, t.shape, t.dtype.str)
            derived = self._derived(t)
            if derived is not None:
                return derived
            self.keep.append(t)
            return ("const", t)
        if t is None or isinstance(t, (bool, int, float, complex, str, np.generic)):
            return ("const", t)
        raise NotReplayable(f"an input of type {type(t).__name__}")

    def _derived(self, array):
        """A batch array reshaped and cast (``labels.astype(int64)``, ``y[..., 0]``), or one minus that
        (binary cross-entropy's ``1 - target``), found by its values; two traces must agree on it."""
        for i, source in enumerate(self.batch):
            if source.size != array.size or source.dtype.kind not in "biuf" or array.dtype.kind not in "biuf":
                continue
            try:
                candidate = source.reshape(array.shape).astype(array.dtype, copy=False)
            except (ValueError, TypeError):
                continue
            if np.array_equal(candidate, array):
                return ("batch", i, array.shape, array.dtype.str)
            if array.dtype.kind == "f" and np.array_equal(1.0 - candidate, array):
                return ("batch", i, array.shape, array.dtype.str, "one_minus")
        return None

    # --- the plan ----------------------------------------------------------------------------
    def plan(self, variables):
        """The replayable plan of the traced step (raises NotReplayable)."""
        if self.error is not None:
            raise NotReplayable(self.error)
        if self.marked is None:
            raise NotReplayable("the step reported no loss")
        y_pred, loss = self.marked
        outputs = _output_sources(y_pred, self)
        if not isinstance(loss, Tensor) or id(loss.creator) not in self.fn_index:
            raise NotReplayable("the loss is not made by a recorded op")
        loss_source = ("out", self.fn_index[id(loss.creator)], loss.output_index)
        order = self.order if loss.requires_grad else None
        if loss.requires_grad and order is None:
            raise NotReplayable("no backward order was recorded")
        return Plan(self.steps, outputs, loss_source, order, variables)


def _output_sources(y_pred, tracer):
    """The model's output(s) as sources, in the same structure (a Tensor, or a list/tuple/dict of Tensors)."""
    if isinstance(y_pred, Tensor):
        if y_pred._keras_mask is not None:
            raise NotReplayable("the predictions carry a mask")
        if y_pred.creator is not None and id(y_pred.creator) in tracer.fn_index:
            return ("out", tracer.fn_index[id(y_pred.creator)], y_pred.output_index)
        known = tracer.out_ids.get(id(y_pred.data))
        if known is None:
            raise NotReplayable("the predictions are not made by a recorded op")
        return ("out",) + known
    if isinstance(y_pred, (list, tuple)):
        return (type(y_pred), [_output_sources(v, tracer) for v in y_pred])
    if isinstance(y_pred, dict):
        return (dict, {k: _output_sources(v, tracer) for k, v in y_pred.items()})
    raise NotReplayable(f"predictions of type {type(y_pred).__name__}")


def signature(steps):
    """A comparable description of a trace: equal signatures from two steps mean one plan serves both."""
    described = []
    for cls, params, sources, needs, n_outputs in steps:
        if isinstance(cls, (_Mask, _Effect)):
            described.append((cls.signature(), tuple(_describe(s) for s in sources)))
            continue
        described.append((cls, tuple(sorted((k, v if v[0] == "fn" else _describe(v[1])) for k, v in params.items())),
                          tuple(_describe(s) for s in sources), needs, n_outputs))
    return described


def _describe(source):
    kind = source[0]
    if kind == "var":
        return ("var", id(source[1]))
    if kind == "const":
        value = source[1]
        if isinstance(value, np.ndarray):
            return ("array", value.dtype.str, value.shape, value.tobytes())
        if isinstance(value, np.generic):
            return ("scalar", value.dtype.str, value.tobytes())
        return _describe_value(value)
    return source


def _describe_value(value):
    """A comparable description of a Python constant: plain values, slices, and nested tuples and lists of
    them (a padding's ((top, bottom), (left, right))) compare by value, any other object by identity."""
    if value is None or value is Ellipsis or isinstance(value, (bool, int, float, complex, str)):
        return ("py", type(value), value)
    if isinstance(value, np.generic):
        return ("py", value.dtype.str, value.tobytes())
    if isinstance(value, slice):  # an indexing key's part (Cropping's x[:, 1:-2])
        bounds = _describe_value((value.start, value.stop, value.step))
        return bounds + ("slice",) if bounds[0] == "py" else ("object", id(value))
    if isinstance(value, (tuple, list)):
        items = tuple(_describe_value(v) for v in value)
        if all(item[0] == "py" for item in items):
            return ("py", type(value), items)
    return ("object", id(value))


class Plan:
    """The recorded ops of a training step, replayed on new batches."""

    def __init__(self, steps, outputs, loss_source, order, variables):
        self.steps = steps
        self.outputs = outputs
        self.loss_source = loss_source
        self.order = order
        self.variables = list(variables)
        self.replays = 0

    def run(self, batch):
        """Forward and backward on ``batch`` (its arrays, in the traced order); returns (y_pred, loss) arrays.

        Leaves the weights' ``.grad`` as the eager backward leaves them.
        """
        values, fns = [], []
        for cls, params, sources, needs, n_outputs in self.steps:
            if type(cls) is _Mask:
                values.append((cls.draw(),))
                fns.append(None)
                continue
            arrays = [values[s[1]][s[2]] if s[0] == "out" else s[1].data if s[0] == "var" else _resolve(s, values, batch)
                      for s in sources]
            if type(cls) is _Effect:
                cls.call(arrays)
                values.append(())
                fns.append(None)
                continue
            if params:
                kwargs = {name: (fns[v[1]] if v[0] == "fn" else _resolve(v[1], values, batch))
                          for name, v in params.items()}
                fn = cls(**kwargs)
            else:
                fn = cls()
            fn.needs_input_grad = list(needs)
            result = fn.forward(*arrays)
            if n_outputs:  # as Function.apply wraps them: Tensor() makes NumPy scalars 0-d arrays
                result = tuple(r if type(r) is np.ndarray else np.asarray(r) for r in result)
                fn.n_outputs = n_outputs
                fn.output_meta = [(r.shape, r.dtype) for r in result]
                values.append(result)
            else:
                values.append((result if type(result) is np.ndarray else np.asarray(result),))
            fn.inputs = arrays
            fns.append(fn)
        for variable in self.variables:
            variable.grad = None
        loss = _resolve(self.loss_source, values, batch)
        outputs = _resolve_outputs(self.outputs, values, batch)
        del values  # from here on the ops hold what their backward needs, and drop it after it, as eager
        if self.order is not None:
            self._backward(fns, loss)
        self.replays += 1
        return outputs, loss

    def _backward(self, fns, loss):
        """``autodiff.function.backward`` over the recorded graph, by step index."""
        _, root, root_index = self.loss_source
        if loss.size != 1:
            raise NotReplayable("the loss is not a scalar")
        pending = {root: [None] * max(self.steps[root][4], 1)}
        pending[root][root_index] = np.ones_like(loss)
        steps = self.steps
        for step in self.order:
            slots = pending.pop(step, None)
            if slots is None:
                continue
            fn = fns[step]
            grads = fn.backward(_output_gradients(fn, slots) if steps[step][4] else slots[0])
            if type(grads) is not tuple:
                grads = (grads,)
            for source, array, g, needed in zip(steps[step][2], fn.inputs, grads, steps[step][3]):
                if not needed or g is None:
                    continue
                shape = array.shape
                if g.shape != shape:
                    g = unbroadcast(g, shape)
                if source[0] == "var":
                    _accumulate_leaf(source[1], g)
                    continue
                producer, i = source[1], source[2]
                node_slots = pending.get(producer)
                if node_slots is None:
                    node_slots = pending[producer] = [None] * max(steps[producer][4], 1)
                node_slots[i] = g if node_slots[i] is None else node_slots[i] + g
            fns[step] = None


def _resolve(source, values, batch):
    kind = source[0]
    if kind == "out":
        return values[source[1]][source[2]]
    if kind == "var":
        return source[1].data
    if kind == "batch":
        array = batch[source[1]]
        if array.shape != source[2]:
            array = array.reshape(source[2])
        array = array.astype(source[3], copy=False)
        return array if len(source) == 4 else 1.0 - array
    return source[1]


def _resolve_outputs(outputs, values, batch):
    if outputs[0] == "out":
        return _resolve(outputs, values, batch)
    kind, inner = outputs
    if kind is dict:
        return {k: _resolve_outputs(v, values, batch) for k, v in inner.items()}
    return kind(_resolve_outputs(v, values, batch) for v in inner)
