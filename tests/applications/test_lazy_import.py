"""``glassnet.applications`` loads on first use, not with ``import glassnet``."""

import subprocess
import sys


def test_applications_load_on_first_use():
    program = (
        "import sys, glassnet\n"
        "print(any(name.startswith('glassnet.applications') for name in sys.modules))\n"
        "print(glassnet.applications.VGG16.__name__, glassnet.applications.vgg16.preprocess_input.__name__)\n"
        "from glassnet.applications import ResNet50, mobilenet_v2\n"
        "print(ResNet50.__name__, 'Xception' in dir(glassnet.applications), 'xception' in dir(glassnet.applications))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["False", "VGG16", "preprocess_input", "ResNet50", "True", "True"], result.stderr


def test_unknown_names_still_raise_attribute_error():
    import pytest

    import glassnet

    with pytest.raises(AttributeError):
        glassnet.no_such_module
    with pytest.raises(AttributeError):
        glassnet.applications.NoSuchNet
