"""The drawing page in a real browser: headless Chromium (Debian's chromium + chromium-driver) via Selenium."""

import os
import shutil
import time

import numpy as np
import pytest

webdriver = pytest.importorskip("selenium.webdriver", reason="the page test needs selenium (pip install selenium)")

CHROMIUM = next(filter(None, (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))), None)
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="no Chromium installed: apt-get install chromium chromium-driver")


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1000,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def digit_model_file(tmp_path_factory):
    """A linear softmax classifier fitted to MNIST in closed form (ridge regression on one-hot targets, so the
    test does not depend on ``fit``); without MNIST on disk it stays untrained and no digit is checked."""
    import glassnet
    from glassnet import layers

    glassnet.utils.set_random_seed(3)
    model = glassnet.Sequential([glassnet.Input(shape=(28, 28)), layers.Flatten(),
                                 layers.Dense(10, activation="softmax")])
    try:
        (x, y), _ = glassnet.datasets.mnist.load_data()
    except (OSError, ValueError):
        x = None
    if x is not None:
        x = np.concatenate([x[:20000].reshape(-1, 784) / 255.0, np.ones((20000, 1))], axis=1)
        targets = np.eye(10)[y[:20000]]
        solution = np.linalg.solve(x.T @ x + 10.0 * np.eye(785), x.T @ targets) * 10.0  # x10: sharper softmax
        model.set_weights([solution[:784].astype("float32"), solution[784].astype("float32")])
    path = tmp_path_factory.mktemp("page") / "digits.keras"
    model.save(path)
    return path, x is not None


def wait_for(browser, script, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    shown = browser.execute_script("return document.getElementById('error').textContent")
    raise AssertionError(f"timed out waiting for: {script}\nerror shown on the page: {shown!r}")


def draw(browser, points):
    """Press at the first point and drag through the others (offsets from the canvas centre, in CSS pixels)."""
    from selenium.webdriver.common.action_chains import ActionChains

    pad = browser.find_element("id", "pad")
    actions = ActionChains(browser, duration=10).move_to_element_with_offset(pad, *points[0]).click_and_hold()
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        actions.move_by_offset(x1 - x0, y1 - y0)
    actions.release().perform()


def settled_answer(browser):
    """The bars and the input the page sent, once every request it made has been answered."""
    wait_for(browser, "return window.glassnet.answers > 0 && window.glassnet.answers === window.glassnet.requests")
    time.sleep(0.3)
    wait_for(browser, "return window.glassnet.answers === window.glassnet.requests")
    bars = browser.find_elements("css selector", "#bars .bar")
    probabilities = [float(bar.get_attribute("data-probability")) for bar in bars]
    return probabilities, np.array(browser.execute_script("return window.glassnet.lastInput"), np.float32)


def test_drawing_a_one_shows_the_models_probabilities(browser, start_server, digit_model_file):
    import glassnet

    path, trained = digit_model_file
    server = start_server(path)
    browser.get(server.url + "/")
    wait_for(browser, "return !document.getElementById('draw-mode').hidden")
    draw(browser, [(5, -90 + 15 * i) for i in range(13)])  # a vertical stroke, slightly right of centre
    probabilities, pixels = settled_answer(browser)

    assert pixels.shape == (28, 28)  # downscaled to the model's input, MNIST-style
    assert pixels.min() >= 0 and pixels.max() > 0.9  # white on black
    assert pixels[:, :5].max() == 0 and pixels[:, -5:].max() == 0  # a thin stroke, centred
    rows, cols = np.indices(pixels.shape)
    centre = [(rows * pixels).sum() / pixels.sum(), (cols * pixels).sum() / pixels.sum()]
    np.testing.assert_allclose(centre, [13.5, 13.5], atol=1.0)
    assert len(probabilities) == 10 and abs(sum(probabilities) - 1) < 1e-3
    model = glassnet.models.load_model(path, compile=False)
    np.testing.assert_allclose(probabilities, model.predict(pixels[None], verbose=0)[0], atol=1e-4)
    if os.environ.get("GLASSNET_PAGE_SCREENSHOT"):
        browser.save_screenshot(os.environ["GLASSNET_PAGE_SCREENSHOT"])
    if trained:
        assert int(np.argmax(probabilities)) == 1, probabilities
    time.sleep(0.2)  # the bars' width transition
    fills = [bar.find_element("css selector", ".fill").size["width"]
             for bar in browser.find_elements("css selector", "#bars .bar")]
    track = browser.find_element("css selector", "#bars .track").size["width"]
    best = int(np.argmax(probabilities))
    assert abs(fills[best] - track * probabilities[best]) <= 2  # the drawn bars show the numbers

    browser.find_element("id", "clear").click()
    assert all(not bar.get_attribute("data-probability")
               for bar in browser.find_elements("css selector", "#bars .bar"))
    angles = np.linspace(0, 2 * np.pi, 25)
    draw(browser, [(int(55 * np.sin(a)), int(-85 * np.cos(a))) for a in angles])  # an oval
    probabilities, pixels = settled_answer(browser)
    np.testing.assert_allclose(probabilities, model.predict(pixels[None], verbose=0)[0], atol=1e-4)
    if trained:
        assert int(np.argmax(probabilities)) == 0, probabilities


def test_other_models_get_a_json_form(browser, two_way_server):
    browser.get(two_way_server.url + "/")
    wait_for(browser, "return !document.getElementById('form-mode').hidden")
    assert browser.find_element("id", "draw-mode").get_attribute("hidden") is not None
    browser.find_element("id", "send").click()
    text = wait_for(browser, "return document.getElementById('response').textContent")
    assert text.startswith("200") and '"o1"' in text and '"o2"' in text
