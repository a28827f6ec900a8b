"""MkDocs hook: draws the documentation's pictures before each build.

Every picture is one entry of ``FIGURES``: its name maps to a function ``draw(path, lang)`` that
writes a PNG to ``path`` with labels in ``lang`` ("en" or "zh"). The hook writes
``docs/<lang>/img/<name>.png`` for both languages (git-ignored: pictures are never committed);
pages show them as ``img/<name>.png`` relative to the page (``../img/<name>.png`` one folder down).

A picture is redrawn when it is missing or older than this file, so ``mkdocs serve`` does not redraw
everything on each change; delete ``docs/*/img`` to force it. Adding a picture is one function and
one entry in ``FIGURES``. Helpers for figures: ``_t(lang, en, zh)`` picks the label, ``_figure()``
and ``_save(fig, path)`` make and write an Agg figure, ``_mnist(n)`` loads the first ``n``
MNIST training images (``GLASSNET_DATASETS``), falling back to the bundled digits.
"""

import functools
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.dirname(HERE)
LANGUAGES = ("en", "zh")
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN"]


def _t(lang, en, zh):
    """The label in the page's language (English when no Chinese font is installed)."""
    return zh if lang == "zh" and _cjk_font() else en


@functools.lru_cache(maxsize=None)
def _cjk_font():
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def _figure(width=5.0, height=3.2, lang="en"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font() if lang == "zh" else None
    plt.rcParams["font.sans-serif"] = ([font] if font else []) + ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt.figure(figsize=(width, height), dpi=100)


def _save(fig, path):
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


@functools.lru_cache(maxsize=None)
def _mnist(n=2000):
    """The first ``n`` MNIST training images and labels (the bundled digits when MNIST is absent)."""
    import glassnet

    try:
        (x, y), _ = glassnet.datasets.mnist.load_data()
    except Exception:  # no MNIST on disk and no network: the bundled 8x8 digits
        (x, y), _ = glassnet.datasets.digits.load_data()
    return x[:n], y[:n]


# --- activation curves ----------------------------------------------------------------------------
def _activation_curve(name):
    def draw(path, lang):
        import glassnet

        z = np.linspace(-5, 5, 401).astype("float32")
        a = np.asarray(glassnet.ops.convert_to_numpy(getattr(glassnet.activations, name)(z)))
        fig = _figure(4.0, 2.8, lang)
        ax = fig.add_subplot()
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.plot(z, a, lw=2)
        ax.set_title(f"{name}(z)")
        ax.set_xlabel(_t(lang, "z (weighted input)", "z（加权输入）"))
        ax.set_ylabel(_t(lang, "output", "输出"))
        ax.grid(alpha=0.3)
        _save(fig, path)

    return draw


def softmax_example(path, lang):
    """Bars: three scores and the probabilities softmax turns them into."""
    import glassnet

    scores = np.array([2.0, 1.0, 0.1], dtype="float32")
    probs = np.asarray(glassnet.ops.convert_to_numpy(glassnet.activations.softmax(scores[None]))[0])
    fig = _figure(6.0, 2.8, lang)
    left, right = fig.subplots(1, 2)
    classes = ["0", "1", "2"]
    left.bar(classes, scores, color="tab:gray")
    left.set_title(_t(lang, "scores (logits)", "分数（logits）"))
    right.bar(classes, probs, color="tab:blue")
    right.set_ylim(0, 1)
    right.set_title(_t(lang, "softmax: probabilities", "softmax：概率"))
    for i, p in enumerate(probs):
        right.text(i, p + 0.03, f"{p:.2f}", ha="center")
    for ax in (left, right):
        ax.set_xlabel(_t(lang, "class", "类别"))
    _save(fig, path)


# --- MNIST pictures -------------------------------------------------------------------------------
def mnist_digit(path, lang):
    """The first MNIST training image, with its label."""
    x, y = _mnist()
    fig = _figure(3.0, 3.2, lang)
    ax = fig.add_subplot()
    ax.imshow(x[0], cmap="gray_r")
    ax.set_title(_t(lang, f"label: {y[0]}", f"标签：{y[0]}"))
    ax.set_xticks([])
    ax.set_yticks([])
    _save(fig, path)


@functools.lru_cache(maxsize=None)
def _short_fit():
    """History of the getting-started network trained briefly on 2,000 MNIST images."""
    import glassnet
    from glassnet import layers

    x, y = _mnist(2000)
    x = x.astype("float32") / 255.0
    glassnet.utils.clear_session()
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input(shape=x.shape[1:]), layers.Flatten(),
                                 layers.Dense(128, activation="relu"),
                                 layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, validation_split=0.2, verbose=0)
    return history.history


def training_curves(path, lang):
    """Loss and accuracy per epoch, on the training and the validation data."""
    h = _short_fit()
    epochs = np.arange(1, len(h["loss"]) + 1)
    fig = _figure(7.0, 2.8, lang)
    left, right = fig.subplots(1, 2)
    for ax, key, title in ((left, "loss", _t(lang, "loss", "损失")),
                           (right, "accuracy", _t(lang, "accuracy", "准确率"))):
        ax.plot(epochs, h[key], "o-", label=_t(lang, "training", "训练集"))
        ax.plot(epochs, h["val_" + key], "s--", label=_t(lang, "validation", "验证集"))
        ax.set_title(title)
        ax.set_xlabel(_t(lang, "epoch", "轮次（epoch）"))
        ax.grid(alpha=0.3)
        ax.legend()
    _save(fig, path)


FIGURES = {
    "relu": _activation_curve("relu"),
    "sigmoid": _activation_curve("sigmoid"),
    "tanh": _activation_curve("tanh"),
    "gelu": _activation_curve("gelu"),
    "softmax-example": softmax_example,
    "mnist-digit": mnist_digit,
    "training-curves": training_curves,
}


def build_figures(docs_dir=DOCS, force=False):
    """Write every figure for every language; returns the paths written."""
    written = []
    stamp = os.path.getmtime(os.path.abspath(__file__))
    for lang in LANGUAGES:
        folder = os.path.join(docs_dir, lang, "img")
        os.makedirs(folder, exist_ok=True)
        for name, draw in FIGURES.items():
            path = os.path.join(folder, f"{name}.png")
            if not force and os.path.exists(path) and os.path.getmtime(path) >= stamp:
                continue
            draw(path, lang)
            written.append(path)
    return written


def on_pre_build(config, **kwargs):
    build_figures(config["docs_dir"])
