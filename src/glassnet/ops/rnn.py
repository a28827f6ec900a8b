"""Recurrent layers as one op per call: backpropagation through time for SimpleRNN, LSTM and GRU.

Each op runs a whole sequence. Inputs are ``x`` (batch, time, features), the
initial states (batch, units), and Keras' weights: ``kernel`` (features, G u),
``recurrent_kernel`` (u, G u), ``bias``. The forward pass

1. multiplies the inputs of every step by the kernel in one matrix product,
   ``X W + b`` (time*batch rows);
2. loops over time with one product ``h_{t-1} U`` per step, saving the gate
   activations of all steps in one buffer;

and the backward pass runs the loop in reverse, writing the gradient of every
gate's pre-activation into one (time, batch, G u) buffer, from which the
gradients of the kernel, the recurrent kernel, the bias and the inputs are
each one matrix product (or sum) after the loop. No graph node is made per
step.

Masks (Keras' rule): where ``mask[b, t]`` is False, step t leaves the states of
sample b unchanged and its output repeats the previous output (zeros before
the first real step), or is zero with ``zero_output_for_mask=True``::

    h_t = m h~_t + (1 - m) h_{t-1}        out_t = m h~_t + (1 - m) out_{t-1}

``go_backwards`` processes the steps last to first and returns the outputs in
that (reversed) order, as Keras does. ``return_sequences=False`` returns only
the last output (batch, units).

The activations computed inside the ops (each with its derivative taken from
its output y)::

    "tanh"          tanh(z)                           1 - y^2
    "sigmoid"       (1 + tanh(z / 2)) / 2             y (1 - y)     (never overflows)
    "hard_sigmoid"  clip(z / 6 + 1/2, 0, 1)           1/6 where 0 < y < 1
    "relu"          max(z, 0)                         1 where y > 0
    None            z                                 1
"""

from glassnet.autodiff.function import Function
from glassnet.autodiff.tensor import Tensor
from glassnet.backend import get_array_module
from glassnet.ops._convert import as_input


# --- activations written into ``out`` (which may be x), with derivatives from their outputs ----------------------
def _tanh(x, out):
    get_array_module(x).tanh(x, out=out)


def _sigmoid(x, out):
    xp = get_array_module(x)
    xp.multiply(x, 0.5, out=out)
    xp.tanh(out, out=out)
    out += 1.0
    out *= 0.5


def _hard_sigmoid(x, out):
    xp = get_array_module(x)
    xp.multiply(x, 1.0 / 6.0, out=out)
    out += 0.5
    xp.clip(out, 0.0, 1.0, out=out)


def _relu(x, out):
    get_array_module(x).maximum(x, 0, out=out)


def _identity(x, out):
    if out is not x:
        out[...] = x


def _tanh_slope(y):
    slope = y * y
    xp = get_array_module(y)
    xp.subtract(1.0, slope, out=slope)
    return slope


def _sigmoid_slope(y):
    slope = 1.0 - y
    slope *= y
    return slope


def _hard_sigmoid_slope(y):
    return ((y > 0.0) & (y < 1.0)).astype(y.dtype) * (1.0 / 6.0)


def _relu_slope(y):
    return (y > 0).astype(y.dtype)


def _one(y):
    return 1.0


ACTIVATIONS = {  # name -> (apply(x, out), derivative from the output)
    "tanh": (_tanh, _tanh_slope),
    "sigmoid": (_sigmoid, _sigmoid_slope),
    "hard_sigmoid": (_hard_sigmoid, _hard_sigmoid_slope),
    "relu": (_relu, _relu_slope),
    None: (_identity, _one),
}


def _check_activation(name, what):
    if name == "linear":
        return None
    if name not in ACTIVATIONS:
        raise ValueError(f"The recurrent ops compute the {what} {sorted(k for k in ACTIVATIONS if k)} or None "
                         f"themselves; got {name!r}")
    return name


# --- what the three ops share ----------------------------------------------------------------------------------------
class _Recurrence(Function):
    """The loop's bookkeeping: time-major layout, direction, masks, outputs, and the gradients after the loop.

    Subclasses run the cell over time-major arrays: ``_loop`` (forward) and ``backward``.
    """

    n_states = 1

    def __init__(self, mask=None, go_backwards=False, return_sequences=True, zero_output_for_mask=False,
                 activation="tanh", recurrent_activation="sigmoid"):
        self.mask = mask
        self.go_backwards = bool(go_backwards)
        self.return_sequences = bool(return_sequences)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.act, self.act_slope = ACTIVATIONS[_check_activation(activation, "activations")]
        self.rec, self.rec_slope = ACTIVATIONS[_check_activation(recurrent_activation, "recurrent activations")]

    # -- layout
    def _time_major(self, x, dtype):
        """x (batch, time, features) -> (time, batch, features) in processing order, contiguous."""
        xp = get_array_module(x)
        xt = x.transpose(1, 0, 2)
        if self.go_backwards:
            xt = xt[::-1]
        return xp.ascontiguousarray(xt, dtype=dtype)

    def _time_major_mask(self, xp, shape):
        """The mask as (time, batch, 1) booleans in processing order, or None."""
        if self.mask is None:
            return None
        mask = xp.asarray(self.mask)
        if mask.shape != shape:
            raise ValueError(f"The mask must have the inputs' (batch, time) shape {shape}, got {mask.shape}")
        mask = mask.astype(bool, copy=False).T
        if self.go_backwards:
            mask = mask[::-1]
        return xp.ascontiguousarray(mask)[:, :, None]

    def forward(self, x, *rest):
        xp = get_array_module(x)
        kernel = rest[self.n_states]
        dtype = kernel.dtype
        xt = self._time_major(x, dtype)
        self.mask_t = self._time_major_mask(xp, x.shape[:2])
        states = [xp.asarray(s, dtype=dtype) for s in rest[:self.n_states]]
        outputs, finals = self._loop(xp, xt, states, *rest[self.n_states:])
        self.x_t = xt
        if self.return_sequences:
            out = xp.ascontiguousarray(outputs.transpose(1, 0, 2))
        else:
            out = outputs[-1].copy()
        return (out,) + tuple(s.copy() for s in finals)

    def _masked_outputs(self, xp, t, candidate, outputs):
        """Write step t's output: the candidate where the mask is on, else the previous output (or zero)."""
        m = self.mask_t[t]
        if self.zero_output_for_mask or t == 0:
            xp.multiply(candidate, m, out=outputs[t])
        else:
            xp.copyto(outputs[t], xp.where(m, candidate, outputs[t - 1]))

    def _keep_masked_states(self, xp, t, new, previous):
        """States of masked samples stay what they were."""
        xp.copyto(new, previous, where=~self.mask_t[t])

    # -- backward
    def _gradient_setup(self, grads):
        """(xp, dL/d outputs in time-major processing order, [dL/d final state, ...] as fresh arrays)."""
        gy = grads[0]
        xp = get_array_module(gy)
        if self.return_sequences:
            gy = gy.transpose(1, 0, 2)
        finals = [xp.array(g, copy=True) for g in grads[1:]]
        return xp, gy, finals

    def _output_gradient(self, gy, t, steps):
        """dL/d out_t (batch, units), or None where the output was not returned."""
        if self.return_sequences:
            return gy[t]
        return gy if t == steps - 1 else None

    def _split_hidden_gradient(self, dh, g_out, d_carry, t):
        """Split the gradient reaching step t's hidden state and output.

        Returns (to the candidate h~_t, straight to h_{t-1}, to out_{t-1}).
        """
        if self.mask_t is None:
            return (dh if g_out is None else dh + g_out), None, None
        m = self.mask_t[t]
        d_out = g_out if d_carry is None else (d_carry if g_out is None else d_carry + g_out)
        to_candidate = (dh if d_out is None else dh + d_out) * m
        keep = ~m
        carry = None if (self.zero_output_for_mask or d_out is None) else d_out * keep
        return to_candidate, dh * keep, carry

    def _split_state_gradient(self, d_state, t):
        """(to the candidate state, straight to the previous state) for a state that is not an output."""
        if self.mask_t is None:
            return d_state, None
        m = self.mask_t[t]
        return d_state * m, d_state * ~m

    def _weight_gradients(self, xp, d_pre, kernel, previous_h):
        """dL/dx (batch, time, features), dL/dW = X^T dZ and dL/dU = H_prev^T dZ from the pre-activation gradients."""
        steps, batch, width = d_pre.shape
        flat = d_pre.reshape(steps * batch, width)
        k = 1 + self.n_states  # inputs: x, the states, kernel, recurrent_kernel, bias
        d_kernel = self.x_t.reshape(steps * batch, -1).T @ flat if self.needs_input_grad[k] else None
        d_recurrent = None
        if self.needs_input_grad[k + 1] and previous_h is not None:
            d_recurrent = previous_h.reshape(steps * batch, -1).T @ flat
        dx = None
        if self.needs_input_grad[0]:
            dx = (flat @ kernel.T).reshape(steps, batch, -1)
            if self.go_backwards:
                dx = dx[::-1]
            dx = xp.ascontiguousarray(dx.transpose(1, 0, 2))
        return dx, d_kernel, d_recurrent

    def _result(self, grads):
        """One gradient per input, None for those that need none."""
        return tuple(g if needed else None for g, needed in zip(grads, self.needs_input_grad))


# --- SimpleRNN -------------------------------------------------------------------------------------------------------
class SimpleRNNSequence(_Recurrence):
    """h_t = act(x_t W + h_{t-1} U + b)   (act: tanh by default); the output is h_t.

    Backward, with a_t = h~_t: dz_t = dh~_t act'(a_t);  dh_{t-1} = dz_t U^T;
    dW = X^T dZ;  dU = H_prev^T dZ;  db = sum of dZ;  dX = dZ W^T.
    Inputs: x, h0, kernel (d, u), recurrent_kernel (u, u), bias (u,) or None.
    """

    def _loop(self, xp, xt, states, kernel, recurrent_kernel, bias):
        steps, batch, _ = xt.shape
        units = recurrent_kernel.shape[0]
        pre = (xt.reshape(steps * batch, -1) @ kernel).reshape(steps, batch, units)
        if bias is not None:
            pre += bias
        hs = xp.empty((steps + 1, batch, units), dtype=kernel.dtype)
        hs[0] = states[0]
        masked = self.mask_t is not None
        acts = xp.empty_like(pre) if masked else hs[1:]
        outputs = xp.empty_like(pre) if masked else hs[1:]
        for t in range(steps):
            a = acts[t]
            xp.matmul(hs[t], recurrent_kernel, out=a)
            a += pre[t]
            self.act(a, a)
            if masked:
                self._masked_outputs(xp, t, a, outputs)
                hs[t + 1] = a
                self._keep_masked_states(xp, t, hs[t + 1], hs[t])
        self.hs, self.acts, self.weights = hs, acts, (kernel, recurrent_kernel, bias is not None)
        return outputs, [hs[steps]]

    def backward(self, grads):
        xp, gy, (dh,) = self._gradient_setup(grads)
        kernel, recurrent_kernel, has_bias = self.weights
        acts, steps = self.acts, self.acts.shape[0]
        u_t = xp.ascontiguousarray(recurrent_kernel.T)
        d_pre = xp.empty_like(acts)
        carry = None
        for t in range(steps - 1, -1, -1):
            to_candidate, to_previous, carry = self._split_hidden_gradient(dh, self._output_gradient(gy, t, steps),
                                                                           carry, t)
            dz = d_pre[t]
            xp.multiply(to_candidate, self.act_slope(acts[t]), out=dz)
            dh = dz @ u_t
            if to_previous is not None:
                dh += to_previous
        dx, d_kernel, d_recurrent = self._weight_gradients(xp, d_pre, kernel, self.hs[:-1])
        d_bias = d_pre.sum(axis=(0, 1)) if has_bias and self.needs_input_grad[4] else None
        return self._result((dx, dh, d_kernel, d_recurrent, d_bias))


# --- LSTM ------------------------------------------------------------------------------------------------------------
class LSTMSequence(_Recurrence):
    """Keras' LSTM, gates in the order i, f, c, o (blocks of u columns)::

        z = x_t W + h_{t-1} U + b
        i = s(z_i)   f = s(z_f)   g = act(z_c)   o = s(z_o)        (s: sigmoid, act: tanh by default)
        c_t = f c_{t-1} + i g        h_t = o act(c_t)              the output is h_t

    Backward, with a = act(c_t)::

        dz_o = dh a s'(o)        dc = dc_t + dh o act'(a)
        dz_i = dc g s'(i)        dz_f = dc c_{t-1} s'(f)        dz_c = dc i act'(g)
        dc_{t-1} = dc f          dh_{t-1} = dz U^T

    Inside the op the weight columns are reordered to i, f, o, c, so that the
    three sigmoid gates are one block (one activation call, one derivative);
    the gradients are put back in Keras' order at the end. With the default
    activations the sigmoid gates' weights are halved in the forward pass, so
    one tanh over all four gates gives s(z) = (1 + tanh(z/2)) / 2 with two
    more operations on the sigmoid block.
    Inputs: x, h0, c0, kernel (d, 4u), recurrent_kernel (u, 4u), bias (4u,) or None.
    """

    n_states = 2

    def _loop(self, xp, xt, states, kernel, recurrent_kernel, bias):
        steps, batch, _ = xt.shape
        u = recurrent_kernel.shape[0]
        order = xp.concatenate([xp.arange(2 * u), xp.arange(3 * u, 4 * u), xp.arange(2 * u, 3 * u)])
        self.order, self.kernel, self.has_bias = order, kernel, bias is not None
        self.u_ordered = recurrent_kernel[:, order]
        kernel_in, recurrent_in, bias_in = kernel[:, order], self.u_ordered, None if bias is None else bias[order]
        halved = self.rec is _sigmoid and self.act is _tanh
        if halved:  # s(z) = (1 + tanh(z/2)) / 2: halve the sigmoid gates' weights, then one tanh over all gates
            kernel_in, recurrent_in = kernel_in.copy(), recurrent_in.copy()
            for weights in (kernel_in, recurrent_in) + (() if bias_in is None else (bias_in,)):
                weights[..., :3 * u] *= 0.5  # exact: a power of two
        gates = (xt.reshape(steps * batch, -1) @ kernel_in).reshape(steps, batch, 4 * u)  # i, f, o, g
        if bias_in is not None:
            gates += bias_in
        hs = xp.empty((steps + 1, batch, u), dtype=kernel.dtype)
        cs = xp.empty_like(hs)
        hs[0], cs[0] = states
        act_c = xp.empty((steps, batch, u), dtype=kernel.dtype)
        masked = self.mask_t is not None
        outputs = xp.empty_like(act_c) if masked else hs[1:]
        recurrent = xp.empty((batch, 4 * u), dtype=kernel.dtype)
        product = xp.empty((batch, u), dtype=kernel.dtype)
        for t in range(steps):
            z = gates[t]
            xp.matmul(hs[t], recurrent_in, out=recurrent)
            z += recurrent
            if halved:
                xp.tanh(z, out=z)
                sigmoid_gates = z[:, :3 * u]
                sigmoid_gates *= 0.5
                sigmoid_gates += 0.5
            else:
                self.rec(z[:, :3 * u], z[:, :3 * u])
                self.act(z[:, 3 * u:], z[:, 3 * u:])
            c, a, h = cs[t + 1], act_c[t], hs[t + 1]
            xp.multiply(z[:, u:2 * u], cs[t], out=c)  # f c_{t-1}
            xp.multiply(z[:, :u], z[:, 3 * u:], out=product)  # i g
            c += product
            self.act(c, a)
            xp.multiply(z[:, 2 * u:3 * u], a, out=h)  # o act(c)
            if masked:
                self._masked_outputs(xp, t, h, outputs)
                self._keep_masked_states(xp, t, h, hs[t])
                self._keep_masked_states(xp, t, c, cs[t])
        self.hs, self.cs, self.gates, self.act_c = hs, cs, gates, act_c
        return outputs, [hs[steps], cs[steps]]

    def backward(self, grads):
        xp, gy, (dh, dc) = self._gradient_setup(grads)
        gates, act_c, cs = self.gates, self.act_c, self.cs
        steps, batch, u = act_c.shape
        u_t = xp.ascontiguousarray(self.u_ordered.T)
        d_pre = xp.empty_like(gates)
        slope = xp.empty((batch, u), dtype=gates.dtype)
        carry = None
        for t in range(steps - 1, -1, -1):
            dh_c, dh_prev, carry = self._split_hidden_gradient(dh, self._output_gradient(gy, t, steps), carry, t)
            dc_c, dc_prev = self._split_state_gradient(dc, t)
            z, a, dz = gates[t], act_c[t], d_pre[t]
            i, f, o, g = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
            xp.multiply(dh_c, a, out=dz[:, 2 * u:3 * u])  # d o
            xp.multiply(self.act_slope(a), o, out=slope)
            slope *= dh_c
            dc = dc_c + slope  # dc_t + dh o act'(a)
            xp.multiply(dc, g, out=dz[:, :u])  # d i
            xp.multiply(dc, cs[t], out=dz[:, u:2 * u])  # d f
            xp.multiply(dc, i, out=dz[:, 3 * u:])  # d g
            dz[:, :3 * u] *= self.rec_slope(z[:, :3 * u])
            dz[:, 3 * u:] *= self.act_slope(g)
            dc *= f
            dh = dz @ u_t
            if dh_prev is not None:
                dh += dh_prev
                dc += dc_prev
        dx, d_kernel, d_recurrent = self._weight_gradients(xp, d_pre, self.kernel[:, self.order], self.hs[:-1])
        back = xp.argsort(self.order)  # internal i, f, o, g -> Keras' i, f, c, o
        d_kernel = None if d_kernel is None else d_kernel[:, back]
        d_recurrent = None if d_recurrent is None else d_recurrent[:, back]
        d_bias = d_pre.sum(axis=(0, 1))[back] if self.has_bias and self.needs_input_grad[5] else None
        return self._result((dx, dh, dc, d_kernel, d_recurrent, d_bias))


# --- GRU -------------------------------------------------------------------------------------------------------------
class GRUSequence(_Recurrence):
    """Keras' GRU, gates in the order z, r, h (blocks of u columns); s: sigmoid, act: tanh by default.

    ``reset_after=True`` (Keras' default, and PyTorch's formula), bias (2, 3u) = [input bias; recurrent bias]::

        xw = x_t W + b_in      hu = h_{t-1} U + b_rec
        z = s(xw_z + hu_z)     r = s(xw_r + hu_r)     hh = act(xw_h + r hu_h)
        h_t = z h_{t-1} + (1 - z) hh

    ``reset_after=False``, bias (3u,): the reset gate applies before the product,
    ``hh = act(xw_h + (r h_{t-1}) U_h)``.

    Backward: dz = dh (h_{t-1} - hh) s'(z);  da = dh (1 - z) act'(hh);
    after: dr = da hu_h s'(r), dh_{t-1} = [dz, dr, da r] U^T + dh z;
    before: d(r h) = da U_h^T, dr = d(r h) h_{t-1} s'(r), dh_{t-1} = [dz, dr] U_zr^T + d(r h) r + dh z.
    Inputs: x, h0, kernel (d, 3u), recurrent_kernel (u, 3u), bias or None.
    """

    def __init__(self, reset_after=True, **kwargs):
        super().__init__(**kwargs)
        self.reset_after = bool(reset_after)

    def _loop(self, xp, xt, states, kernel, recurrent_kernel, bias):
        steps, batch, _ = xt.shape
        u = recurrent_kernel.shape[0]
        xw = (xt.reshape(steps * batch, -1) @ kernel).reshape(steps, batch, 3 * u)
        input_bias, recurrent_bias = (None, None) if bias is None else (
            (bias[0], bias[1]) if self.reset_after else (bias, None))
        if input_bias is not None:
            xw += input_bias
        hs = xp.empty((steps + 1, batch, u), dtype=kernel.dtype)
        hs[0] = states[0]
        gates = xp.empty_like(xw)  # z, r, hh
        masked = self.mask_t is not None
        outputs = xp.empty((steps, batch, u), dtype=kernel.dtype) if masked else hs[1:]
        self.hu_h = xp.empty((steps, batch, u), dtype=kernel.dtype) if self.reset_after else None
        u_zr = xp.ascontiguousarray(recurrent_kernel[:, :2 * u])
        u_h = xp.ascontiguousarray(recurrent_kernel[:, 2 * u:])
        for t in range(steps):
            g, hp, h = gates[t], hs[t], hs[t + 1]
            zr, hh = g[:, :2 * u], g[:, 2 * u:]
            if self.reset_after:
                hu = hp @ recurrent_kernel
                if recurrent_bias is not None:
                    hu += recurrent_bias
                xp.add(xw[t, :, :2 * u], hu[:, :2 * u], out=zr)
                self.rec(zr, zr)
                self.hu_h[t] = hu[:, 2 * u:]
                xp.multiply(g[:, u:2 * u], hu[:, 2 * u:], out=hh)
            else:
                xp.add(xw[t, :, :2 * u], hp @ u_zr, out=zr)
                self.rec(zr, zr)
                xp.matmul(g[:, u:2 * u] * hp, u_h, out=hh)
            hh += xw[t, :, 2 * u:]
            self.act(hh, hh)
            z = g[:, :u]
            xp.subtract(hp, hh, out=h)  # h = hh + z (h_prev - hh)
            h *= z
            h += hh
            if masked:
                self._masked_outputs(xp, t, h, outputs)
                self._keep_masked_states(xp, t, h, hp)
        self.hs, self.gates = hs, gates
        self.weights = (kernel, recurrent_kernel, bias is not None, u_zr, u_h)
        return outputs, [hs[steps]]

    def backward(self, grads):
        xp, gy, (dh,) = self._gradient_setup(grads)
        kernel, recurrent_kernel, has_bias, u_zr, u_h = self.weights
        gates, hs = self.gates, self.hs
        steps, u = gates.shape[0], hs.shape[2]
        d_xw = xp.empty_like(gates)
        d_hu = xp.empty_like(gates) if self.reset_after else None
        u_t = xp.ascontiguousarray(recurrent_kernel.T)
        u_zr_t, u_h_t = xp.ascontiguousarray(u_zr.T), xp.ascontiguousarray(u_h.T)
        carry = None
        for t in range(steps - 1, -1, -1):
            dh_c, dh_prev, carry = self._split_hidden_gradient(dh, self._output_gradient(gy, t, steps), carry, t)
            g, hp, d = gates[t], hs[t], d_xw[t]
            z, r, hh = g[:, :u], g[:, u:2 * u], g[:, 2 * u:]
            xp.multiply(dh_c * (hp - hh), self.rec_slope(z), out=d[:, :u])
            xp.multiply(dh_c * (1.0 - z), self.act_slope(hh), out=d[:, 2 * u:])
            da = d[:, 2 * u:]
            if self.reset_after:
                xp.multiply(da * self.hu_h[t], self.rec_slope(r), out=d[:, u:2 * u])
                dhu = d_hu[t]
                dhu[:, :2 * u] = d[:, :2 * u]
                xp.multiply(da, r, out=dhu[:, 2 * u:])
                dh_next = dhu @ u_t
            else:
                d_rh = da @ u_h_t
                xp.multiply(d_rh * hp, self.rec_slope(r), out=d[:, u:2 * u])
                dh_next = d[:, :2 * u] @ u_zr_t
                dh_next += d_rh * r
            dh_next += dh_c * z
            if dh_prev is not None:
                dh_next += dh_prev
            dh = dh_next
        return self._result(self._gru_gradients(xp, dh, d_xw, d_hu, kernel, has_bias))

    def _gru_gradients(self, xp, dh, d_xw, d_hu, kernel, has_bias):
        """(dx, dh0, dW, dU, db) after the loop."""
        u = self.hs.shape[2]
        if self.reset_after:
            dx, d_kernel, d_recurrent = self._weight_gradients(xp, d_xw, kernel, None)
            if self.needs_input_grad[3]:
                rows = d_hu.shape[0] * d_hu.shape[1]
                d_recurrent = self.hs[:-1].reshape(rows, -1).T @ d_hu.reshape(rows, -1)
            d_bias = xp.stack([d_xw.sum(axis=(0, 1)), d_hu.sum(axis=(0, 1))]) if has_bias else None
        else:
            dx, d_kernel, _ = self._weight_gradients(xp, d_xw, kernel, None)
            d_recurrent = None
            if self.needs_input_grad[3]:
                rows = d_xw.shape[0] * d_xw.shape[1]
                previous = self.hs[:-1].reshape(rows, u)
                reset_previous = self.gates[:, :, u:2 * u].reshape(rows, u) * previous
                d_recurrent = xp.concatenate([previous.T @ d_xw[:, :, :2 * u].reshape(rows, 2 * u),
                                              reset_previous.T @ d_xw[:, :, 2 * u:].reshape(rows, u)], axis=1)
            d_bias = d_xw.sum(axis=(0, 1)) if has_bias else None
        return dx, dh, d_kernel, d_recurrent, d_bias


# --- the functions the layers call -----------------------------------------------------------------------------------
def _common(mask, go_backwards, return_sequences, zero_output_for_mask, activation, recurrent_activation):
    if isinstance(mask, Tensor):
        mask = mask.data
    return dict(mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
                zero_output_for_mask=zero_output_for_mask, activation=activation,
                recurrent_activation=recurrent_activation)


def simple_rnn(inputs, initial_state, kernel, recurrent_kernel, bias=None, mask=None, activation="tanh",
               go_backwards=False, return_sequences=True, zero_output_for_mask=False):
    """Run ``h_t = act(x_t W + h_{t-1} U + b)`` over ``inputs`` (batch, time, features).

    Returns (outputs, final h): outputs (batch, time, units), or (batch, units) when ``return_sequences=False``.
    """
    params = _common(mask, go_backwards, return_sequences, zero_output_for_mask, activation, None)
    return SimpleRNNSequence.apply(as_input(inputs), as_input(initial_state), kernel, recurrent_kernel, bias,
                                   **params)


def lstm(inputs, initial_h, initial_c, kernel, recurrent_kernel, bias=None, mask=None, activation="tanh",
         recurrent_activation="sigmoid", go_backwards=False, return_sequences=True, zero_output_for_mask=False):
    """Run Keras' LSTM over ``inputs`` (batch, time, features); returns (outputs, final h, final c)."""
    params = _common(mask, go_backwards, return_sequences, zero_output_for_mask, activation, recurrent_activation)
    return LSTMSequence.apply(as_input(inputs), as_input(initial_h), as_input(initial_c), kernel, recurrent_kernel,
                              bias, **params)


def gru(inputs, initial_state, kernel, recurrent_kernel, bias=None, mask=None, activation="tanh",
        recurrent_activation="sigmoid", go_backwards=False, return_sequences=True, zero_output_for_mask=False,
        reset_after=True):
    """Run Keras' GRU over ``inputs`` (batch, time, features); returns (outputs, final h)."""
    params = _common(mask, go_backwards, return_sequences, zero_output_for_mask, activation, recurrent_activation)
    return GRUSequence.apply(as_input(inputs), as_input(initial_state), kernel, recurrent_kernel, bias,
                             reset_after=reset_after, **params)


def zero_states(batch_size, sizes, dtype="float32"):
    """Zero initial states, one (batch_size, size) array per size."""
    import numpy as np

    return [np.zeros((batch_size, size), dtype=dtype) for size in sizes]
