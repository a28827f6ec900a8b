"""Each application against Keras 3's: same layers, names, weights in order, and outputs once given the same weights."""

import pytest
from _application_compare import assert_same_model, build_both

import glassnet

CASES = [  # small inputs where the architecture allows; each model built once
    ("VGG16", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("VGG19", dict(input_shape=(32, 32, 3), classes=7, classifier_activation=None)),
    ("ResNet50", dict(input_shape=(32, 32, 3), classes=10)),
    ("ResNet101", dict(include_top=False, input_shape=(32, 32, 3), pooling="max")),
    ("ResNet50V2", dict(include_top=False, input_shape=(32, 32, 3))),
    ("MobileNetV2", dict(input_shape=(32, 32, 3), classes=10)),
    ("MobileNetV2", dict(input_shape=(96, 96, 3), alpha=0.35, include_top=False, pooling="max")),
    ("MobileNet", dict(input_shape=(32, 32, 3), classes=10)),
    ("MobileNet", dict(input_shape=(32, 32, 3), alpha=0.25, depth_multiplier=2, include_top=False, pooling="avg")),
    ("Xception", dict(include_top=False, input_shape=(71, 71, 3), pooling="avg")),
]


@pytest.mark.parametrize("name, arguments", CASES, ids=[f"{name}-{index}" for index, (name, _) in enumerate(CASES)])
def test_application_matches_keras(name, arguments):
    ours, theirs = build_both(name, **arguments)
    assert_same_model(ours, theirs)


def test_deeper_resnets_have_the_papers_block_counts():
    for function, blocks in ((glassnet.applications.ResNet152, (3, 8, 36, 3)),
                             (glassnet.applications.ResNet152V2, (3, 8, 36, 3)),
                             (glassnet.applications.ResNet101V2, (3, 4, 23, 3))):
        model = function(weights=None, include_top=False, input_shape=(32, 32, 3))
        names = [layer.name for layer in model.layers]
        for stage, count in zip(range(2, 6), blocks):
            assert f"conv{stage}_block{count}_3_conv" in names and f"conv{stage}_block{count + 1}_3_conv" not in names


def test_input_tensor_after_other_layers_becomes_part_of_the_model():
    import numpy as np

    inputs = glassnet.Input((32, 32, 3))
    scaled = glassnet.layers.Rescaling(1 / 255.0)(inputs)
    model = glassnet.applications.VGG16(weights=None, include_top=False, input_tensor=scaled, pooling="max")
    assert model.inputs[0] is inputs
    assert model.predict(np.zeros((1, 32, 32, 3), "float32"), verbose=0).shape == (1, 512)


def test_default_shapes_and_names():
    model = glassnet.applications.MobileNetV2(weights=None, input_shape=(128, 128, 3), alpha=0.5)
    assert model.name == "mobilenetv2_0.50_128" and model.input_shape == (None, 128, 128, 3)
    assert glassnet.applications.Xception(weights=None, include_top=False).input_shape == (None, None, None, 3)


def test_vgg19_saved_as_keras_file_loads_back(tmp_path):
    import numpy as np

    model = glassnet.applications.VGG19(weights=None, input_shape=(32, 32, 3), classes=5)
    path = str(tmp_path / "vgg19.keras")
    model.save(path)
    loaded = glassnet.models.load_model(path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    images = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0), rtol=1e-6)
