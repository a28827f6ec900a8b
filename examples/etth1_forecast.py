"""Forecasting a transformer's oil temperature 24 hours ahead from the last 72 hours (ETTh1).

    GLASSNET_DATASETS=/path/to/data python examples/etth1_forecast.py

ETTh1 holds 17,420 hourly rows of seven measurements of an electricity
transformer (six loads and the oil temperature "OT"). The usual split is
12 months for training, then 4 for validation and 4 for testing. Each input
is a window of the last 72 hours of all seven series, scaled with the
training months' mean and spread; the target is OT 24 hours after the
window's last hour. The test months' levels differ from the training
months' (winter against summer), their hourly swings much less, so the
network sees each window relative to its last hour and learns the change
from the last value to the target, with the absolute error as its loss
(the median change: large swings of summer do not pull it far); the
forecast is the last value plus that change. It must beat the naive forecast "the
temperature 24 hours from now equals the temperature now"; both test errors
(MAE, in degrees) are printed. GLASSNET_EXAMPLE_EPOCHS shortens the run.
"""

import os

import numpy as np

import glassnet as keras
from glassnet import layers

EPOCHS = int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", "0")) or 20
PAST, AHEAD = 72, 24
TRAIN_ROWS, VALIDATION_ROWS, TEST_ROWS = 12 * 30 * 24, 4 * 30 * 24, 4 * 30 * 24

keras.utils.set_random_seed(7)
path = os.path.join(os.environ.get("GLASSNET_DATASETS", "data"), "timeseries", "ETTh1.csv")
series = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, 8), dtype="float32")  # 7 columns, OT last
mean, spread = series[:TRAIN_ROWS].mean(axis=0), series[:TRAIN_ROWS].std(axis=0)
scaled = (series - mean) / spread


def windows(start, stop, shuffle):
    """Windows whose 72 input hours lie in rows [start - 72 + 1 ... stop) and whose targets are 24 h later."""
    rows = scaled[start:stop + AHEAD]
    targets = rows[PAST - 1 + AHEAD:, -1] - rows[PAST - 1:-AHEAD, -1]  # OT 24 h later minus OT now
    return keras.utils.timeseries_dataset_from_array(rows, targets, sequence_length=PAST, batch_size=64,
                                                     shuffle=shuffle, seed=7)


train = windows(0, TRAIN_ROWS, shuffle=True)
validation = windows(TRAIN_ROWS - PAST, TRAIN_ROWS + VALIDATION_ROWS, shuffle=False)
test_start = TRAIN_ROWS + VALIDATION_ROWS - PAST
test = windows(test_start, test_start + PAST + TEST_ROWS - AHEAD, shuffle=False)

model = keras.Sequential([
    keras.Input(shape=(PAST, 7)),
    layers.Lambda(lambda window: window - window[:, -1:, :]),  # each hour relative to the last one
    layers.LSTM(64),
    layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mae")
model.fit(train, epochs=EPOCHS, validation_data=validation,
          callbacks=[keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True)], verbose=2)

predicted, now, actual = [], [], []
for x, y in test:
    current = np.asarray(x)[:, -1, -1]
    predicted.append(current + model.predict_on_batch(x)[:, 0])
    now.append(current)
    actual.append(current + np.asarray(y))
predicted, now, actual = (np.concatenate(a) * spread[-1] for a in (predicted, now, actual))
model_mae = float(np.mean(np.abs(predicted - actual)))
naive_mae = float(np.mean(np.abs(now - actual)))
print(f"Test windows: {len(actual)}")
print(f"Test MAE, LSTM: {model_mae:.3f} degrees")
print(f"Test MAE, naive 'value now': {naive_mae:.3f} degrees")
