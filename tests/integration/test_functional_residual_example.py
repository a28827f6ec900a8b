"""examples/functional_residual_mnist.py end to end on part of MNIST: the residual model matches its Sequential twin."""

import os
import re
import subprocess
import sys

from _shared_data import requires_mnist

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


@requires_mnist
def test_residual_functional_model_trains_like_its_sequential_twin():
    env = dict(os.environ, GLASSNET_EXAMPLE_SAMPLES="3000", GLASSNET_EXAMPLE_EPOCHS="2")
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "functional_residual_mnist.py")],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Connected to" in out and "add (Add)" in out  # the functional model's summary
    assert re.search(r"Saved to residual\.keras \([\d,]+ bytes\) and loaded back: same predictions", out)
    sequential = float(re.search(r"^Sequential test accuracy: (\d\.\d{4})$", out, re.M).group(1))
    residual = float(re.search(r"^Functional \(residual\) test accuracy: (\d\.\d{4})$", out, re.M).group(1))
    assert sequential > 0.85 and residual > 0.85
    assert abs(residual - sequential) < 0.03
    assert not os.path.exists(os.path.join(ROOT, "residual.keras"))  # saved to a temporary folder
