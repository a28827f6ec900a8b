"""Tools to test layers and ops: finite-difference gradient checks and ``run_layer_test``."""

from glassnet.autodiff.gradcheck import GradcheckError, gradcheck
from glassnet.testing.layer_test import run_layer_test
