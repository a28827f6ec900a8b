"""`import glassnet` stays light: NumPy and glassnet only."""

import json
import subprocess
import sys

HEAVY = ["torch", "cupy", "tqdm", "threadpoolctl", "h5py", "matplotlib", "scipy", "sklearn", "keras",
         "tensorflow", "pandas"]

SCRIPT = f"""
import json, sys
import glassnet
from glassnet import layers
from glassnet.models import Sequential
from glassnet.layers import Dense
from glassnet.datasets import mnist
from glassnet.utils import to_categorical
heavy = {HEAVY!r}
print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
"""


def run(script):
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_loads_no_heavy_dependency():
    assert run(SCRIPT) == []


def test_the_check_can_see_a_heavy_import():
    assert run(SCRIPT.replace("import glassnet\n", "import glassnet\nimport h5py\n")) == ["h5py"]


def test_building_a_model_still_loads_nothing_heavy():
    script = SCRIPT.replace("heavy =", "m = Sequential([glassnet.Input(shape=(4,)), Dense(2)]); heavy =")
    assert run(script) == []


def test_sequence_attention_and_text_layers_load_on_first_use():
    import subprocess
    import sys

    program = (
        "import sys, glassnet\n"
        "heavy = ('glassnet.layers.rnn', 'glassnet.layers.attention', 'glassnet.layers.preprocessing.text_vectorization')\n"
        "print(any(name in sys.modules for name in heavy))\n"
        "from glassnet.layers import LSTM\n"
        "print(glassnet.layers.MultiHeadAttention.__name__, LSTM.__name__, 'TextVectorization' in dir(glassnet.layers))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["False", "MultiHeadAttention", "LSTM", "True"], result.stderr
