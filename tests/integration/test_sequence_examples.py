"""The sequence programs of examples/ (IMDB sentiment, ETTh1 forecast, addition seq2seq), run end to end on
small parts of their data."""

import os
import re
import subprocess
import sys

import pytest

from glassnet.datasets.download import find_file

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run_example(name, home=None, **settings):
    env = dict(os.environ, **{f"GLASSNET_EXAMPLE_{key.upper()}": str(value) for key, value in settings.items()})
    if home is not None:
        env["GLASSNET_HOME"] = str(home)  # where the example may unpack or cache files
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name)], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _number(pattern, text):
    match = re.search(pattern, text)
    assert match, text[-2000:]
    return float(match.group(1))


@pytest.mark.skipif(find_file(("imdb/imdb_tokens.npz",)) is None, reason="IMDB is not on disk")
def test_imdb_bidirectional_lstm_example():
    out = run_example("imdb_bidirectional_lstm.py", samples=400, test_samples=200, maxlen=40, epochs=2)
    assert "bidirectional (Bidirectional)" in out and "Epoch 2/2" in out
    losses = [float(v) for v in re.findall(r"- loss: (\d+\.\d+)", out)]
    assert len(losses) == 2 and losses[1] < losses[0]
    assert 0.0 <= _number(r"Test accuracy: (\d\.\d{4})", out) <= 1.0


@pytest.mark.skipif(find_file(("timeseries/ETTh1.csv",)) is None, reason="ETTh1 is not on disk")
def test_etth1_forecast_example():
    out = run_example("etth1_forecast.py", epochs=1)
    assert _number(r"Test windows: (\d+)", out) == 2857  # 4 months of hours, less the 23 whose target lies beyond
    model = _number(r"Test MAE, LSTM: (\d+\.\d+) degrees", out)
    naive = _number(r"Test MAE, naive 'value now': (\d+\.\d+) degrees", out)
    assert abs(naive - 1.530) < 0.001  # the naive error depends on the data only
    assert 0.5 < model < 10.0


def test_addition_seq2seq_example():
    out = run_example("addition_seq2seq.py", samples=3000, epochs=3)
    assert "(TimeDistributed)" in out and "repeat_vector (RepeatVector)" in out
    assert len(re.findall(r"^\s+\d+\+\d+ = \d* +\((right|wrong, \d+)\)$", out, flags=re.MULTILINE)) == 5
    assert 0.0 <= _number(r"Exactly right on unseen questions: (\d\.\d{4})", out) <= 1.0


@pytest.mark.skipif(find_file(("imdb/aclImdb_v1_labeled.tar.gz",)) is None, reason="the aclImdb archive is not on disk")
def test_imdb_text_classification_example(tmp_path):
    out = run_example("imdb_text_classification.py", home=tmp_path, samples=150, epochs=2)
    assert "Found 300 files belonging to 2 classes." in out and "Using 60 files for validation." in out
    assert re.search(r"Two new reviews: \[[\d. ]+\]", out)
    assert 0.0 <= _number(r"Test accuracy: (\d\.\d{4})", out) <= 1.0


@pytest.mark.skipif(find_file(("imdb/imdb_tokens.npz",)) is None, reason="IMDB is not on disk")
def test_imdb_transformer_example():
    out = run_example("imdb_transformer.py", samples=300, test_samples=200, epochs=1)
    assert "(TransformerBlock)" in out and "(TokenAndPositionEmbedding)" in out
    assert 0.0 <= _number(r"Test accuracy: (\d\.\d{4})", out) <= 1.0
