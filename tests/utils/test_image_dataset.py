"""image_dataset_from_directory: class folders of image files -> (images, labels) batches, as keras.utils."""

import numpy as np
import pytest

import glassnet as keras

Image = pytest.importorskip("PIL.Image")


def _make_folder(root, sizes=((6, 8), (6, 8), (12, 8))):
    """cats/ holds images of value 10*i, dogs/ of value 100 + 10*i; the last image is taller."""
    for label, base in (("cats", 10), ("dogs", 100)):
        (root / label).mkdir()
        for i, (h, w) in enumerate(sizes):
            array = np.full((h, w, 3), base + 10 * i, dtype=np.uint8)
            array[0, 0] = (255, 0, 0)
            Image.fromarray(array).save(root / label / f"{i}.png")
    (root / "cats" / "notes.txt").write_text("not an image")
    return root


def test_reads_classes_labels_and_pixels(tmp_path):
    root = _make_folder(tmp_path)
    data = keras.utils.image_dataset_from_directory(root, image_size=(6, 8), batch_size=4, shuffle=False,
                                                    verbose=False)
    assert data.class_names == ["cats", "dogs"] and len(data) == 2
    images, labels = data[0]
    assert images.dtype == np.float32 and images.shape == (4, 6, 8, 3)
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0, 0, 1]
    assert images[1, 3, 3].tolist() == [20.0, 20.0, 20.0]
    np.testing.assert_array_equal(images[0, 0, 0], [255, 0, 0])
    assert data[1][0].shape == (2, 6, 8, 3)


def test_crop_to_aspect_ratio_keeps_the_centre(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    (root / "a").mkdir()
    array = np.zeros((12, 4, 1), dtype=np.uint8)
    array[4:8] = 200  # the centred 4x4 window is all 200
    Image.fromarray(array[..., 0]).save(root / "a" / "x.png")
    kwargs = {"image_size": (4, 4), "color_mode": "grayscale", "shuffle": False, "verbose": False,
              "interpolation": "nearest"}
    cropped = keras.utils.image_dataset_from_directory(root, crop_to_aspect_ratio=True, **kwargs)[0][0]
    assert cropped.shape == (1, 4, 4, 1) and np.all(cropped == 200)
    squeezed = keras.utils.image_dataset_from_directory(root, **kwargs)[0][0]
    assert squeezed.min() == 0


def test_label_modes_split_and_fit(tmp_path):
    root = _make_folder(tmp_path)
    train, val = keras.utils.image_dataset_from_directory(root, image_size=(6, 8), batch_size=2, label_mode="binary",
                                                          validation_split=0.34, subset="both", seed=1,
                                                          verbose=False)
    assert len(train.file_paths) == 4 and len(val.file_paths) == 2
    assert not set(train.file_paths) & set(val.file_paths)
    assert train[0][1].shape == (2, 1) and train[0][1].dtype == np.float32
    model = keras.Sequential([keras.Input((6, 8, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2


def test_categorical_rgba_channels_first(tmp_path):
    root = _make_folder(tmp_path)
    data = keras.utils.image_dataset_from_directory(root, image_size=(5, 5), label_mode="categorical",
                                                    color_mode="rgba", data_format="channels_first", shuffle=False,
                                                    verbose=False)
    images, labels = data[0]
    assert images.shape == (6, 4, 5, 5) and labels.tolist()[0] == [1.0, 0.0]
    assert np.all(images[:, 3] == 255)


@pytest.mark.parametrize("kwargs, message", [
    ({"color_mode": "cmyk"}, "color_mode.*received 'cmyk'"),
    ({"image_size": (0, 3)}, "image_size.*received"),
    ({"interpolation": "cubic"}, "interpolation.*received 'cubic'"),
    ({"label_mode": "binary"}, None),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "cannot both"),
    ({"validation_split": 0.2}, "subset and validation_split"),
])
def test_bad_arguments_are_refused(tmp_path, kwargs, message):
    root = _make_folder(tmp_path)
    if message is None:  # binary with two classes is fine
        keras.utils.image_dataset_from_directory(root, verbose=False, **kwargs)
        return
    with pytest.raises(ValueError, match=message):
        keras.utils.image_dataset_from_directory(root, verbose=False, **kwargs)


def test_preprocessing_namespace():
    assert keras.preprocessing.image_dataset_from_directory is keras.utils.image_dataset_from_directory
    assert keras.preprocessing.sequence.pad_sequences([[1, 2], [3]]).tolist() == [[1, 2], [0, 3]]
    assert keras.preprocessing.timeseries_dataset_from_array is keras.utils.timeseries_dataset_from_array
    assert keras.preprocessing.text_dataset_from_directory is keras.utils.text_dataset_from_directory


def test_preprocessing_image_round_trip(tmp_path):
    array = np.zeros((4, 6, 3), dtype=np.float32)
    array[:, :3] = 255.0
    keras.preprocessing.image.save_img(tmp_path / "x.png", array, scale=False)
    loaded = keras.preprocessing.image.img_to_array(keras.preprocessing.image.load_img(tmp_path / "x.png"))
    np.testing.assert_array_equal(loaded, array)
    small = keras.preprocessing.image.load_img(tmp_path / "x.png", target_size=(2, 3), color_mode="grayscale")
    assert keras.preprocessing.image.img_to_array(small).shape == (2, 3, 1)
    resized = keras.preprocessing.image.smart_resize(array, (4, 4), interpolation="nearest")
    assert resized.shape == (4, 4, 3)
    np.testing.assert_array_equal(resized[:, :, 0], array[:, 1:5, 0])  # the centred 4x4 window, unresized
