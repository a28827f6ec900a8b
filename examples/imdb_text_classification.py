"""Sentiment of raw IMDB reviews: text files -> TextVectorization -> Embedding -> Conv1D -> positive or not.

    GLASSNET_DATASETS=/path/to/data python examples/imdb_text_classification.py   # >= 0.85 test accuracy

The reviews come as 50,000 text files in aclImdb/{train,test}/{neg,pos}/
(the archive is unpacked once into glassnet's dataset cache).
text_dataset_from_directory reads them in batches with the folder names as
labels; TextVectorization learns the 20,000 most frequent words of the
training reviews and turns each review into 400 word ids, inside the model,
so the model takes strings: model.predict(["What a film!"]) works.
GLASSNET_EXAMPLE_SAMPLES (reviews per folder and class) and
GLASSNET_EXAMPLE_EPOCHS shorten the run.
"""

import os
import tarfile

import numpy as np

import glassnet as keras
from glassnet import layers
from glassnet.datasets.download import cache_dir, find_file

SAMPLES = int(os.environ.get("GLASSNET_EXAMPLE_SAMPLES", "0")) or None
EPOCHS = int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", "0")) or 3
VOCABULARY, LENGTH = 20000, 400


def review_folders():
    """aclImdb/ unpacked from the verified archive (once), or a smaller copy of SAMPLES reviews per class."""
    archive = find_file(("imdb/aclImdb_v1_labeled.tar.gz",))
    if archive is None:
        raise SystemExit("Put aclImdb_v1_labeled.tar.gz in $GLASSNET_DATASETS/imdb/ (see the datasets README)")
    root = os.path.join(cache_dir(), f"aclImdb_{SAMPLES}" if SAMPLES else "aclImdb_full")
    if not os.path.isdir(os.path.join(root, "aclImdb", "test")):
        kept = {}
        with tarfile.open(archive) as tar:
            members = []
            for member in tar:
                parts = member.name.split("/")
                if member.isfile() and len(parts) == 4 and parts[2] in ("neg", "pos"):
                    folder = tuple(parts[1:3])
                    kept[folder] = kept.get(folder, 0) + 1
                    if SAMPLES is None or kept[folder] <= SAMPLES:
                        members.append(member)
            tar.extractall(root, members=members, filter="data")
    return os.path.join(root, "aclImdb")


keras.utils.set_random_seed(1337)
folders = review_folders()
train, validation = keras.utils.text_dataset_from_directory(
    os.path.join(folders, "train"), batch_size=32, validation_split=0.2, subset="both", seed=1337)
test = keras.utils.text_dataset_from_directory(os.path.join(folders, "test"), batch_size=32)

vectorizer = layers.TextVectorization(max_tokens=VOCABULARY, output_sequence_length=LENGTH)
vectorizer.adapt(np.concatenate([texts for texts, _ in train]))  # the words of the training reviews only

inputs = keras.Input(shape=(), dtype="string")
x = vectorizer(inputs)
x = layers.Embedding(VOCABULARY, 64)(x)
x = layers.Dropout(0.4)(x)
x = layers.Conv1D(96, 5, strides=2, activation="relu")(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(64, activation="relu")(x)
x = layers.Dropout(0.4)(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(train, validation_data=validation, epochs=EPOCHS, verbose=2)
loss, accuracy = model.evaluate(test, verbose=0)
print("Two new reviews:", model.predict(np.array(["A wonderful, moving film. The cast is superb.",
                                                 "Dull and far too long; I wanted my money back."]),
                                        verbose=0)[:, 0].round(3))
print(f"Test accuracy: {accuracy:.4f}")
