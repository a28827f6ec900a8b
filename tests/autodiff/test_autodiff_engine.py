"""The reverse-mode engine: gradient values, broadcasting, accumulation, the tape's life cycle.

References are hand-derived derivatives, never values read off the implementation.
"""

import numpy as np
import pytest

import glassnet as gn
from glassnet import ops
from glassnet.autodiff import Function, Tensor, backward, topological_order, unbroadcast


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


# --- gradients of simple expressions --------------------------------------------------


def test_polynomial_gradient_matches_hand_derivative():
    # f(x) = sum(3 x^2 + 2 x - 5)  ->  df/dx = 6 x + 2
    values = np.array([-1.5, 0.25, 2.0])
    x = leaf(values)
    f = (x * x * 3.0 + x * 2.0 - 5.0).sum()
    f.backward()
    np.testing.assert_allclose(x.grad, 6 * values + 2)
    assert f.item() == pytest.approx(np.sum(3 * values**2 + 2 * values - 5))


def test_two_variable_expression_product_and_quotient_rule():
    # f(a, b) = sum(a * b / (a + b))
    # df/da = b^2 / (a + b)^2, df/db = a^2 / (a + b)^2
    a_val, b_val = np.array([1.0, 2.0, 3.0]), np.array([0.5, 4.0, 1.5])
    a, b = leaf(a_val), leaf(b_val)
    (a * b / (a + b)).sum().backward()
    np.testing.assert_allclose(a.grad, b_val**2 / (a_val + b_val) ** 2)
    np.testing.assert_allclose(b.grad, a_val**2 / (a_val + b_val) ** 2)


def test_chain_rule_through_exp_log_and_sqrt():
    # f(x) = log(1 + exp(x)) + sqrt(x)  -> f'(x) = sigmoid(x) + 1 / (2 sqrt(x))
    values = np.array([0.3, 1.7, 4.0])
    x = leaf(values)
    (ops.log(ops.exp(x) + 1.0) + ops.sqrt(x)).sum().backward()
    expected = 1 / (1 + np.exp(-values)) + 0.5 / np.sqrt(values)
    np.testing.assert_allclose(x.grad, expected)


def test_scalar_root_gradient_defaults_to_one_and_leaf_root_gets_it():
    x = leaf(3.0)
    x.backward()
    assert x.grad == pytest.approx(1.0)


def test_explicit_root_gradient_weights_the_outputs():
    values = np.array([1.0, -2.0, 0.5])
    weights = np.array([2.0, 0.5, -3.0])
    x = leaf(values)
    y = x * x  # dy_i/dx_i = 2 x_i
    y.backward(grad=weights)
    np.testing.assert_allclose(x.grad, 2 * values * weights)


def test_root_gradient_with_wrong_shape_is_refused():
    x = leaf([1.0, 2.0])
    y = x * 2.0
    with pytest.raises(ValueError, match="shape"):
        y.backward(grad=np.ones(3))


# --- broadcasting -----------------------------------------------------------------------


def test_broadcast_gradient_is_summed_back_to_each_input_shape():
    rng = np.random.default_rng(1)
    a_val = rng.standard_normal((3, 1))
    b_val = rng.standard_normal((2, 3, 4))
    a, b = leaf(a_val), leaf(b_val)
    out = a * b  # (2, 3, 4)
    weights = rng.standard_normal((2, 3, 4))
    out.backward(grad=weights)
    assert a.grad.shape == (3, 1)
    assert b.grad.shape == (2, 3, 4)
    np.testing.assert_allclose(a.grad, (weights * b_val).sum(axis=(0, 2))[:, None])
    np.testing.assert_allclose(b.grad, weights * a_val)


def test_broadcast_add_of_row_and_column():
    row, col = leaf(np.zeros((1, 4))), leaf(np.zeros((3, 1)))
    (row + col).sum().backward()
    np.testing.assert_allclose(row.grad, np.full((1, 4), 3.0))
    np.testing.assert_allclose(col.grad, np.full((3, 1), 4.0))


def test_broadcast_of_scalar_shaped_tensor():
    s = leaf(2.0)
    x = leaf(np.arange(6.0).reshape(2, 3))
    (s * x).sum().backward()
    assert s.grad.shape == ()
    assert s.grad == pytest.approx(np.arange(6.0).sum())
    np.testing.assert_allclose(x.grad, np.full((2, 3), 2.0))


def test_unbroadcast_sums_added_and_stretched_axes():
    grad = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(unbroadcast(grad, (3, 1)), grad.sum(axis=(0, 2))[:, None])
    np.testing.assert_allclose(unbroadcast(grad, (4,)), grad.sum(axis=(0, 1)))
    np.testing.assert_allclose(unbroadcast(grad, (1, 3, 4)), grad.sum(axis=0, keepdims=True))
    np.testing.assert_allclose(unbroadcast(grad, ()), grad.sum())
    assert unbroadcast(grad, (2, 3, 4)) is grad


def test_unbroadcast_right_aligns_a_lower_rank_gradient():
    # a backward() may return a smaller gradient that broadcasts against its input
    np.testing.assert_allclose(unbroadcast(np.array([1.0, 2.0, 3.0]), (1, 3)), [[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(unbroadcast(np.array([1.0, 2.0, 3.0]), (2, 3)), [[1.0, 2.0, 3.0]] * 2)
    np.testing.assert_allclose(unbroadcast(np.array([[1.0], [2.0]]), (3, 2, 1)), [[[1.0], [2.0]]] * 3)


def test_custom_function_returning_lower_rank_gradient():
    class RowBias(Function):
        """y = x + 1 with a gradient handed back as one row (the sum over the batch axis)."""

        def forward(self, x):
            return x + 1.0

        def backward(self, gy):
            return gy.sum(axis=0) / gy.shape[0]  # shape (n,), broadcast back over the rows

    x = leaf(np.zeros((1, 3)))
    RowBias.apply(x).backward(grad=np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(x.grad, [[1.0, 2.0, 3.0]])


# --- accumulation -----------------------------------------------------------------------


def test_tensor_used_twice_accumulates_both_paths():
    # f = sum(x * x + 3 x) : the leaf x feeds three uses
    values = np.array([1.0, -2.0, 4.0])
    x = leaf(values)
    (x * x + x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * values + 3)


def test_intermediate_used_twice_accumulates_before_flowing_on():
    # h = 2x;  f = sum(h * h + sin-free h) = sum(4x^2 + 2x)  ->  8x + 2
    values = np.array([0.5, -1.0])
    x = leaf(values)
    h = x * 2.0
    (h * h + h).sum().backward()
    np.testing.assert_allclose(x.grad, 8 * values + 2)


def test_diamond_graph():
    # a = x + 1; b = exp(x); f = sum(a * b)  ->  df/dx = b + a b = exp(x)(x + 2)
    values = np.array([0.1, 0.9])
    x = leaf(values)
    a = x + 1.0
    b = ops.exp(x)
    (a * b).sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(values) * (values + 2))


def test_leaf_gradients_accumulate_across_backward_calls():
    values = np.array([1.0, 2.0])
    x = leaf(values)
    (x * x).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * values + 3)
    x.zero_grad()
    assert x.grad is None


def test_only_leaves_keep_gradients():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    (h * h).sum().backward()
    assert h.grad is None
    assert not h.is_leaf and x.is_leaf


def test_constant_tensors_get_no_gradient():
    x = leaf([1.0, 2.0])
    c = Tensor(np.array([3.0, 4.0]))
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(x.grad, [3.0, 4.0])


# --- deep graphs --------------------------------------------------------------------------


def test_long_chain_backpropagates_without_recursion_error():
    n = 5000
    x = leaf([1.0])
    y = x
    for _ in range(n):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0001**n], rtol=1e-9)


def test_long_chain_of_mixed_ops():
    # y <- 0.1 tanh(y) + y, 3000 times: gradient by the chain rule computed alongside in numpy
    x = leaf([0.3, -0.2])
    y, value, derivative = x, np.array([0.3, -0.2]), np.ones(2)
    for _ in range(3000):
        y = ops.tanh(y) * 0.1 + y
        derivative = derivative * (0.1 * (1 - np.tanh(value) ** 2) + 1.0)
        value = 0.1 * np.tanh(value) + value
    y.sum().backward()
    np.testing.assert_allclose(y.data, value)
    np.testing.assert_allclose(x.grad, derivative, rtol=1e-9)


def test_topological_order_puts_consumers_before_producers():
    x = leaf([1.0])
    a = x * 2.0
    b = a + 1.0
    c = a * b
    order = topological_order(c.creator)
    assert order[0] is c.creator
    assert order.index(b.creator) < order.index(a.creator)
    assert len(order) == 3


# --- no_grad ------------------------------------------------------------------------------


def test_no_grad_records_nothing():
    x = leaf([1.0, 2.0])
    with gn.no_grad():
        y = ops.exp(x * 2.0).sum()
    assert y.creator is None
    assert y.requires_grad is False
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    assert x.grad is None


def test_no_grad_restores_recording_afterwards_even_after_an_error():
    from glassnet.autodiff import is_grad_enabled

    x = leaf([1.0])
    with pytest.raises(ZeroDivisionError):
        with gn.no_grad():
            assert not is_grad_enabled()
            raise ZeroDivisionError
    assert is_grad_enabled()
    assert (x * 2.0).requires_grad


def test_no_grad_as_decorator():
    from glassnet.autodiff import is_grad_enabled

    @gn.no_grad()
    def predict(t):
        assert not is_grad_enabled()
        return ops.relu(t * 3.0)

    x = leaf([1.0, -1.0])
    y = predict(x)
    assert y.creator is None and not y.requires_grad
    assert is_grad_enabled()
    np.testing.assert_allclose(y.data, [3.0, 0.0])
    assert predict.__name__ == "predict"


def test_enable_grad_inside_no_grad():
    from glassnet.autodiff import enable_grad

    x = leaf([2.0])
    with gn.no_grad():
        with enable_grad():
            y = x * x
        z = x * x
    assert y.requires_grad and y.creator is not None
    assert not z.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [4.0])


def test_no_grad_multi_output_function_records_nothing():
    x = leaf([1.0, 2.0])
    with gn.no_grad():
        a, b = SplitScale.apply(x)
    assert a.creator is None and b.creator is None
    assert not a.requires_grad and not b.requires_grad


# --- retain_graph and errors -----------------------------------------------------------------


def test_backward_twice_raises_clear_error():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_backward_through_freed_shared_subgraph_raises():
    x = leaf([1.0, 2.0])
    h = ops.exp(x)
    first = (h * 2.0).sum()
    second = (h * 3.0).sum()
    first.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        second.backward()


def test_retain_graph_allows_second_pass_and_accumulates():
    values = np.array([1.0, -3.0])
    x = leaf(values)
    y = (x * x * x).sum()  # dy/dx = 3 x^2
    y.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad, 3 * values**2)
    y.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad, 6 * values**2)
    y.backward()
    np.testing.assert_allclose(x.grad, 9 * values**2)
    with pytest.raises(RuntimeError):
        y.backward()


def test_backward_on_non_scalar_without_grad_raises():
    x = leaf([1.0, 2.0])
    y = x * 2.0
    with pytest.raises(RuntimeError, match="one-element"):
        y.backward()
    assert x.grad is None


def test_backward_on_one_element_non_scalar_is_allowed():
    x = leaf([[2.0]])
    (x * x).backward()
    np.testing.assert_allclose(x.grad, [[4.0]])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError):
        (Tensor(np.array([1.0])) * 2.0).sum().backward()


def test_backward_function_and_method_agree():
    values = np.array([0.5, 1.5])
    x1, x2 = leaf(values), leaf(values)
    (x1 * x1).sum().backward()
    backward((x2 * x2).sum())
    np.testing.assert_allclose(x1.grad, x2.grad)


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    d = (x * 2.0).detach()
    assert d.creator is None and not d.requires_grad
    y = (x * d).sum()  # d is a constant: dy/dx = d = 2x
    y.backward()
    np.testing.assert_allclose(x.grad, [2.0, 4.0])


# --- incoming gradients are never written into ------------------------------------------


class Snoop(Function):
    """Identity that records the gradient array it is handed (and a copy of it)."""

    seen = []

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        Snoop.seen.append((gy, gy.copy()))
        return gy


def test_root_gradient_array_is_not_modified():
    rng = np.random.default_rng(0)
    x = leaf(rng.standard_normal((4, 3)))
    y = ops.softmax(ops.dense(x, Tensor(rng.standard_normal((3, 5))), None, "tanh")) * 2.0 + x.sum()
    g = rng.standard_normal((4, 5))
    g_copy = g.copy()
    y.backward(grad=g)
    np.testing.assert_array_equal(g, g_copy)


def test_gradient_handed_to_a_node_is_not_modified_later():
    # the Snoop nodes sit downstream of ops that reuse or accumulate their incoming gradients;
    # after the whole pass, every array they were handed must hold what it held on arrival
    Snoop.seen = []
    rng = np.random.default_rng(1)
    x = leaf(rng.standard_normal((3, 4)))
    w = leaf(rng.standard_normal((4, 4)))
    h = Snoop.apply(ops.dense(x, w, None, "sigmoid"))
    a = Snoop.apply(h + x)  # Add hands the same gradient to both inputs
    b = Snoop.apply(ops.log_softmax(a))
    loss = ops.softmax_cross_entropy(b, np.full((3, 4), 0.25)).sum() + (a * h).sum()
    loss.backward()
    assert len(Snoop.seen) == 3
    for received, snapshot in Snoop.seen:
        np.testing.assert_array_equal(received, snapshot)


def test_leaf_gradient_is_not_an_alias_that_later_accumulation_writes_into():
    x = leaf([1.0, 2.0])
    (x + 0.0).sum().backward()
    first = x.grad
    first_copy = np.array(first, copy=True)
    (x * 5.0).sum().backward()
    np.testing.assert_array_equal(first, first_copy)
    np.testing.assert_allclose(x.grad, [6.0, 6.0])


# --- multi-output functions ------------------------------------------------------------------


class SplitScale(Function):
    """(2x, 3x^2): two outputs from one input, with their gradients combined."""

    received = None

    def forward(self, x):
        self.x = x
        return 2.0 * x, 3.0 * x * x

    def backward(self, grads):
        SplitScale.received = tuple(np.array(g, copy=True) for g in grads)
        g_double, g_square = grads
        return 2.0 * g_double + 6.0 * self.x * g_square


def test_multi_output_function_with_both_outputs_used():
    values = np.array([1.0, -2.0, 0.5])
    x = leaf(values)
    a, b = SplitScale.apply(x)
    np.testing.assert_allclose(a.data, 2 * values)
    np.testing.assert_allclose(b.data, 3 * values**2)
    assert a.creator is b.creator and (a.output_index, b.output_index) == (0, 1)
    (a * 4.0 + b).sum().backward()
    np.testing.assert_allclose(x.grad, 8.0 + 6 * values)


@pytest.mark.parametrize("used", [0, 1])
def test_multi_output_unused_output_gets_zero_filled_gradient(used):
    values = np.array([[1.0, 2.0], [3.0, -1.0]])
    x = leaf(values)
    outputs = SplitScale.apply(x)
    outputs[used].sum().backward()
    g_used, g_other = SplitScale.received[used], SplitScale.received[1 - used]
    np.testing.assert_array_equal(g_used, np.ones((2, 2)))
    np.testing.assert_array_equal(g_other, np.zeros((2, 2)))
    assert g_other.dtype == values.dtype
    expected = np.full((2, 2), 2.0) if used == 0 else 6 * values
    np.testing.assert_allclose(x.grad, expected)


def test_multi_output_float32_zero_fill_keeps_dtype():
    x = leaf([1.0, 2.0], dtype=np.float32)
    a, _ = SplitScale.apply(x)
    a.sum().backward()
    assert SplitScale.received[1].dtype == np.float32
    assert x.grad.dtype == np.float32


def test_second_backward_from_second_output_of_multi_output_node_raises_clear_error():
    x = leaf([1.0, 2.0])
    _, b = SplitScale.apply(x)
    b.backward(grad=np.ones(2))
    with pytest.raises(RuntimeError, match="retain_graph"):
        b.backward(grad=np.ones(2))


# --- needs_input_grad ------------------------------------------------------------------------


class StrictMul(Function):
    """a * b that refuses to compute a gradient nobody asked for."""

    log = []

    def forward(self, a, b):
        StrictMul.log.append(list(self.needs_input_grad))
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        need_a, need_b = self.needs_input_grad
        return (gy * self.b if need_a else None), (gy * self.a if need_b else None)


class StrictMulAsserting(StrictMul):
    """Same, but backward fails if the engine claims the constant second input needs a gradient."""

    def backward(self, gy):
        assert self.needs_input_grad[1] is False, "asked for a gradient of a constant"
        return gy * self.b, None


def test_needs_input_grad_reflects_which_inputs_require_grad():
    StrictMul.log = []
    x = leaf([1.0, 2.0])
    c = Tensor(np.array([3.0, 4.0]))
    StrictMul.apply(x, c)
    StrictMul.apply(c, x)
    StrictMul.apply(x, x)
    StrictMul.apply(c, np.array([1.0, 1.0]))
    with gn.no_grad():
        StrictMul.apply(x, x)
    assert StrictMul.log == [[True, False], [False, True], [True, True], [False, False], [False, False]]


def test_backward_never_asked_for_a_constant_gradient():
    x = leaf([1.0, 2.0])
    c = Tensor(np.array([3.0, 4.0]))
    y = StrictMulAsserting.apply(x, c)
    (y * y).sum().backward()  # d/dx (x c)^2 = 2 x c^2
    np.testing.assert_allclose(x.grad, 2 * np.array([1.0, 2.0]) * np.array([9.0, 16.0]))
    assert c.grad is None


def test_gradient_returned_for_a_constant_is_ignored():
    class Greedy(Function):
        def forward(self, a, b):
            return a + b

        def backward(self, gy):
            return gy, gy * 100.0  # a gradient for b, although b does not require one

    x = leaf([1.0])
    c = Tensor(np.array([2.0]))
    Greedy.apply(x, c).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(x.grad, [1.0])


@pytest.mark.parametrize(
    "make",
    [
        lambda x, c: ops.multiply(x, c),
        lambda x, c: ops.multiply(c, x),
        lambda x, c: ops.divide(x, c),
        lambda x, c: ops.divide(c, x),
        lambda x, c: ops.power(x, c),
        lambda x, c: ops.power(c, x),
        lambda x, c: ops.maximum(x, c),
        lambda x, c: ops.minimum(c, x),
        lambda x, c: ops.subtract(x, c),
        lambda x, c: ops.matmul(x, c),
        lambda x, c: ops.matmul(c, x),
        lambda x, c: ops.where(c.data > 1.0, x, c),
    ],
    ids=["mul", "rmul", "div", "rdiv", "pow", "rpow", "maximum", "minimum", "sub", "matmul", "rmatmul",
         "where"],
)
def test_builtin_binary_ops_skip_the_constant_gradient(make):
    x = leaf(np.full((2, 2), 1.5))
    c = Tensor(np.array([[2.0, 0.5], [1.25, 3.0]]))
    y = make(x, c)
    fn = y.creator
    grads = fn.backward(np.ones_like(y.data))
    constant_positions = [i for i, t in enumerate(fn.inputs) if t is c]
    variable_positions = [i for i, t in enumerate(fn.inputs) if t is x]
    assert constant_positions and variable_positions
    for i in constant_positions:
        assert grads[i] is None
    for i in variable_positions:
        assert grads[i] is not None


def test_dense_skips_gradients_of_constant_inputs():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((3, 2)))  # data, no grad
    kernel = leaf(rng.standard_normal((2, 4)))
    bias = leaf(np.zeros(4))
    y = ops.dense(x, kernel, bias, "tanh")
    gx, gk, gb = y.creator.backward(np.ones((3, 4)))
    assert gx is None and gk is not None and gb is not None
