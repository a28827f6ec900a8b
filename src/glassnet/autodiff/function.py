"""Function nodes, the tape they form, and the backward pass.

An op is a subclass of ``Function`` with ``forward(*arrays)`` and
``backward(grad_output)`` working on raw arrays. ``Function.apply`` runs the
forward pass and, when recording is on and an input requires grad, makes the
new node the ``creator`` of its outputs. The chain of creators is the tape.

``backward(root)`` walks that tape once, in topological order, without
recursion. For each node it hands the gradient of its output(s) to
``Function.backward``, sums the returned input gradients back to the input
shapes (``unbroadcast``, the only place broadcasting is undone), and passes
them on. Gradients of intermediate tensors are dropped as soon as their node
has used them; leaves accumulate theirs in ``.grad``. Incoming gradient arrays
are never written into.
"""

from glassnet.autodiff.tensor import Tensor
from glassnet.state import current


class Function:
    """Base class of every differentiable op.

    Subclasses implement ``forward(*arrays) -> array`` (or a tuple of arrays)
    and ``backward(grad) -> grad_input`` (or a tuple, one entry per input,
    ``None`` where no gradient is needed). Constructor keyword arguments are
    the op's hyper-parameters (an axis, a slope). During ``forward`` the
    list ``self.needs_input_grad`` says which inputs want a gradient, so
    work for the others can be skipped.
    """

    n_outputs = 1
    inputs = None
    needs_input_grad = ()

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on Tensors (or plain arrays and numbers) and record it."""
        fn = cls(**params) if params else cls()
        arrays, needs, record = [], [], False
        for t in inputs:
            if isinstance(t, Tensor):
                arrays.append(t.data)
                needs.append(t.requires_grad)
                record = record or t.requires_grad
            else:
                arrays.append(t)
                needs.append(False)
        state = current
        record = record and state.grad_enabled
        fn.needs_input_grad = needs if record else [False] * len(inputs)
        result = fn.forward(*arrays)
        if state.anomaly_trace is not None:
            state.anomaly_trace.after_forward(fn, arrays, result)
        if type(result) is tuple:
            out = fn._wrap_outputs(result, inputs, record)
        else:
            out = Tensor(result, requires_grad=record)
            if record:
                fn.inputs = inputs
                out.creator = fn
        if state.plan_trace is not None:  # a compiled training step is being traced (autodiff/plan.py)
            state.plan_trace.record(cls, params, fn, inputs, out)
        return out

    def _wrap_outputs(self, results, inputs, record):
        """Make one Tensor per output of a multi-output op."""
        outputs = tuple(Tensor(r, requires_grad=record) for r in results)
        if record:
            self.inputs = inputs
            self.n_outputs = len(results)
            self.output_meta = [(r.shape, r.dtype) for r in results]
            for index, out in enumerate(outputs):
                out.creator = self
                out.output_index = index
        return outputs

    def forward(self, *arrays):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def release(self):
        """Drop the inputs and saved arrays once the backward pass used them."""
        self.__dict__.clear()
        self.inputs = None

    def __repr__(self):
        return f"<{type(self).__name__}>"


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, to ``shape``.

    If ``a`` of shape (3, 1) was broadcast to (2, 3, 4), its gradient is
    summed over axis 0 (added) and axis 2 (stretched from 1).
    """
    if grad.shape == shape:
        return grad
    if grad.ndim < len(shape):  # a smaller gradient from a backward(): align it to the right
        grad = grad.reshape((1,) * (len(shape) - grad.ndim) + grad.shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    if grad.shape != shape:  # a backward returned a smaller, broadcastable gradient
        import numpy as np

        grad = np.broadcast_to(grad, shape)
    return grad


def topological_order(root_fn):
    """Return the nodes reachable from ``root_fn``, each before its inputs' nodes."""
    order, visited, stack = [], set(), [(root_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        if fn in visited:
            continue
        if fn.inputs is None:
            raise RuntimeError(
                "Trying to run backward through a graph whose buffers were already freed. "
                "Call backward(retain_graph=True) the first time if you need a second pass."
            )
        visited.add(fn)
        stack.append((fn, True))
        for t in fn.inputs:
            if isinstance(t, Tensor) and t.creator is not None and t.creator not in visited:
                stack.append((t.creator, False))
    order.reverse()
    return order


def _root_gradient(root, grad):
    """The gradient to start from: 1 for a one-element root, else the given array."""
    import numpy as np

    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward() without a gradient needs a one-element tensor, got shape {root.shape}; "
                "pass grad= with the same shape"
            )
        return np.ones_like(root.data)
    grad = grad.data if isinstance(grad, Tensor) else grad
    if grad.shape != root.data.shape:
        raise ValueError(f"backward(grad=...) expects shape {root.shape}, got {grad.shape}")
    return grad


def _accumulate_leaf(leaf, grad):
    """Add ``grad`` into ``leaf.grad`` without writing into either array.

    A read-only gradient (a broadcast view) is copied, so ``leaf.grad`` can be edited in place.
    """
    if leaf.grad is not None:
        leaf.grad = leaf.grad + grad
    else:
        leaf.grad = grad if grad.flags.writeable else grad.copy()


def _output_gradients(fn, slots):
    """The gradient(s) of a node's output(s), zeros where an output got none."""
    if fn.n_outputs == 1:
        return slots[0]
    import numpy as np

    return tuple(
        g if g is not None else np.zeros(shape, dtype) for g, (shape, dtype) in zip(slots, fn.output_meta)
    )


def backward(root, grad=None, retain_graph=False):
    """Propagate gradients from ``root`` to every leaf that requires grad."""
    if not root.requires_grad:
        raise RuntimeError(
            "backward() called on a tensor that does not require grad: no op that produced it "
            "involved a trainable weight, or it was computed under no_grad()"
        )
    grad = _root_gradient(root, grad)
    if root.creator is None:
        _accumulate_leaf(root, grad)
        return
    if root.creator.inputs is None:
        topological_order(root.creator)  # raises the "graph already freed" error
    trace = current.anomaly_trace
    pending = {root.creator: [None] * root.creator.n_outputs}
    pending[root.creator][root.output_index] = grad
    for fn in topological_order(root.creator):
        slots = pending.pop(fn, None)
        if slots is None:
            continue
        grads = fn.backward(_output_gradients(fn, slots))
        if type(grads) is not tuple:
            grads = (grads,)
        if trace is not None:
            trace.after_backward(fn, grads)
        for t, g, needed in zip(fn.inputs, grads, fn.needs_input_grad):
            if not needed or g is None:
                continue
            shape = t.data.shape
            if g.shape != shape:
                g = unbroadcast(g, shape)
            creator = t.creator
            if creator is None:
                _accumulate_leaf(t, g)
                continue
            node_slots = pending.get(creator)
            if node_slots is None:
                node_slots = pending[creator] = [None] * creator.n_outputs
            i = t.output_index
            node_slots[i] = g if node_slots[i] is None else node_slots[i] + g
        if not retain_graph:
            fn.release()
