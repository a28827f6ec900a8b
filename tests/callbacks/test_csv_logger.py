"""CSVLogger: a header of sorted log names, one flushed row per epoch, append mode, Keras' quirks."""

import csv

import numpy as np
import pytest
from _callback_helpers import small_data, small_model

from glassnet.callbacks import CSVLogger, LambdaCallback


def read(path, separator=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=separator))


def test_header_and_rows_match_the_history(tmp_path):
    path = tmp_path / "log.csv"
    x, y = small_data()
    history = small_model().fit(x, y, epochs=3, batch_size=10, validation_split=0.25, verbose=0,
                                callbacks=[CSVLogger(path)])
    rows = read(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [int(row[0]) for row in rows[1:]] == [0, 1, 2]
    for column, name in enumerate(rows[0][1:], start=1):
        np.testing.assert_allclose([float(row[column]) for row in rows[1:]], history.history[name], rtol=1e-12)
    assert path.read_bytes().count(b"\r\n") == 4  # csv's excel dialect, as Keras writes it


def test_rows_are_flushed_as_training_runs(tmp_path):
    path = tmp_path / "log.csv"
    lines = []
    peek = LambdaCallback(on_epoch_end=lambda epoch, logs: lines.append(len(read(path))))
    x, y = small_data()
    small_model().fit(x, y, epochs=3, verbose=0, callbacks=[CSVLogger(path), peek])
    assert lines == [2, 3, 4]


def test_append_continues_without_a_second_header(tmp_path):
    path = tmp_path / "log.csv"
    x, y = small_data()
    model = small_model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    model.fit(x, y, epochs=4, initial_epoch=2, verbose=0, callbacks=[CSVLogger(path, append=True)])
    rows = read(path)
    assert rows[0][0] == "epoch" and [row[0] for row in rows[1:]] == ["0", "1", "2", "3"]


def test_append_to_a_new_or_empty_file_writes_the_header(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("")
    x, y = small_data()
    small_model().fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, append=True)])
    assert read(path)[0][0] == "epoch"


def test_without_append_the_file_is_overwritten(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("old contents\n")
    x, y = small_data()
    small_model().fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path)])
    assert "old contents" not in path.read_text()


def test_without_validation_val_columns_are_na_as_in_keras(tmp_path):
    path = tmp_path / "log.csv"
    x, y = small_data()
    small_model().fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, separator=";")])
    rows = read(path, separator=";")
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [row[3:] for row in rows[1:]] == [["NA", "NA"], ["NA", "NA"]]


def test_lists_are_written_quoted_and_the_file_is_closed_at_the_end(tmp_path):
    path = tmp_path / "log.csv"
    logger = CSVLogger(path)
    add_list = LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(sizes=[1, 2]))
    x, y = small_data()
    small_model().fit(x, y, epochs=1, verbose=0, callbacks=[add_list, logger])
    rows = read(path)
    assert rows[0][3] == "sizes" and rows[1][3] == '"[1, 2]"'  # Keras' handle_value, then csv quoting
    assert logger.csv_file.closed and logger.writer is None


def test_keras_attributes():
    logger = CSVLogger("some.csv")
    assert (logger.filename, logger.sep, logger.append) == ("some.csv", ",", False)
    with pytest.raises(TypeError):
        CSVLogger()
