"""Sequence to sequence: an LSTM learns to add two numbers written as text ("123+45" -> "168").

    python examples/addition_seq2seq.py

The question is read one character at a time by an encoder LSTM; its last
state is repeated once per answer character (RepeatVector) and a decoder
LSTM writes the answer, one softmax over the 12 characters per position
(TimeDistributed Dense). Questions are reversed, which shortens the path
from the last digits to the first answer digits. Prints the share of
answers exactly right on questions it never saw, and a few examples.
GLASSNET_EXAMPLE_SAMPLES and GLASSNET_EXAMPLE_EPOCHS shorten the run.
"""

import os

import numpy as np

import glassnet as keras
from glassnet import layers

SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_SAMPLES", "0")) or 50000
EPOCHS = int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", "0")) or 30
DIGITS = 3
QUESTION_LENGTH, ANSWER_LENGTH = 2 * DIGITS + 1, DIGITS + 1
CHARACTERS = "0123456789+ "
INDEX = {c: i for i, c in enumerate(CHARACTERS)}

keras.utils.set_random_seed(3)
rng = np.random.default_rng(3)


def one_hot(text, length):
    """``text`` padded with spaces to ``length`` as a (length, 12) one-hot array."""
    codes = np.zeros((length, len(CHARACTERS)), dtype="float32")
    codes[np.arange(length), [INDEX[c] for c in text.ljust(length)]] = 1.0
    return codes


def decode(codes):
    return "".join(CHARACTERS[i] for i in codes.argmax(axis=-1)).strip()


pairs = set()
while len(pairs) < SAMPLES:  # distinct questions, a + b and b + a counted once
    a, b = (int(rng.integers(0, 10 ** int(rng.integers(1, DIGITS + 1)))) for _ in range(2))
    pairs.add((min(a, b), max(a, b)))
pairs = sorted(pairs)
rng.shuffle(pairs)
questions = [f"{a}+{b}" for a, b in pairs]
x = np.stack([one_hot(q, QUESTION_LENGTH)[::-1] for q in questions])
y = np.stack([one_hot(str(a + b), ANSWER_LENGTH) for a, b in pairs])
split = len(x) * 9 // 10
x_train, y_train, x_test, y_test = x[:split], y[:split], x[split:], y[split:]

model = keras.Sequential([
    keras.Input(shape=(QUESTION_LENGTH, len(CHARACTERS))),
    layers.LSTM(128),
    layers.RepeatVector(ANSWER_LENGTH),
    layers.LSTM(128, return_sequences=True),
    layers.TimeDistributed(layers.Dense(len(CHARACTERS), activation="softmax")),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(x_train, y_train, batch_size=32, epochs=EPOCHS, validation_split=0.1, verbose=2)

predicted = model.predict(x_test, verbose=0)
right = [decode(p) == decode(t) for p, t in zip(predicted, y_test)]
for question, p, t in list(zip(questions[split:], predicted, y_test))[:5]:
    print(f"{question:>8} = {decode(p):<5} ({'right' if decode(p) == decode(t) else 'wrong, ' + decode(t)})")
print(f"Exactly right on unseen questions: {np.mean(right):.4f}")
