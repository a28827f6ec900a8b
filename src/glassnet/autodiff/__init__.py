"""Reverse-mode automatic differentiation: Tensor, Function, backward, no_grad."""

from glassnet.autodiff.anomaly import detect_anomaly
from glassnet.autodiff.function import Function, backward, topological_order, unbroadcast
from glassnet.autodiff.grad_mode import enable_grad, is_grad_enabled, no_grad
from glassnet.autodiff.gradcheck import GradcheckError, gradcheck
from glassnet.autodiff.tensor import Tensor
from glassnet.autodiff.variable import Variable

__all__ = [
    "Function", "Tensor", "detect_anomaly", "Variable", "backward", "enable_grad", "gradcheck", "GradcheckError",
    "is_grad_enabled", "no_grad", "topological_order", "unbroadcast",
]
