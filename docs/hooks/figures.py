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


# --- concept pages (docs/*/concepts/) ---------------------------------------------------------------
def activations_and_derivatives(path, lang):
    """Sigmoid, tanh, ReLU and GELU (left) and their derivatives computed by glassnet's autodiff (right)."""
    import glassnet

    z = np.linspace(-5, 5, 401)
    fig = _figure(7.5, 3.0, lang)
    left, right = fig.subplots(1, 2)
    for name in ("sigmoid", "tanh", "relu", "gelu"):
        t = glassnet.Tensor(z.copy(), requires_grad=True)
        out = getattr(glassnet.activations, name)(t)
        out.sum().backward()  # d(sum f(z_i))/dz_i = f'(z_i)
        left.plot(z, np.asarray(out.numpy()), lw=2, label=name)
        right.plot(z, np.asarray(t.grad), lw=2, label=name)
    left.set_title(_t(lang, "activation f(z)", "激活函数 f(z)"))
    right.set_title(_t(lang, "derivative f'(z) (autodiff)", "导数 f'(z)（自动微分）"))
    left.set_ylim(-1.5, 3)
    for ax in (left, right):
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.set_xlabel("z")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    _save(fig, path)


def loss_bce_vs_mse(path, lang):
    """Loss for a label of 1 as a function of the predicted probability: cross-entropy vs squared error."""
    import glassnet

    p = np.linspace(0.005, 1.0, 400).astype("float32")
    ones = np.ones_like(p)
    bce = glassnet.ops.convert_to_numpy(glassnet.losses.binary_crossentropy(ones[:, None], p[:, None]))
    mse = glassnet.ops.convert_to_numpy(glassnet.losses.mean_squared_error(ones[:, None], p[:, None]))
    fig = _figure(4.5, 3.0, lang)
    ax = fig.add_subplot()
    ax.plot(p, bce, lw=2, label=_t(lang, "binary cross-entropy  -log p", "二元交叉熵  -log p"))
    ax.plot(p, mse, lw=2, label=_t(lang, "squared error  (1 - p)²", "平方误差  (1 - p)²"))
    ax.set_ylim(0, 5)
    ax.set_xlabel(_t(lang, "predicted probability p of the true class (label 1)", "预测为真实类别（标签 1）的概率 p"))
    ax.set_ylabel(_t(lang, "loss", "损失"))
    ax.grid(alpha=0.3)
    ax.legend()
    _save(fig, path)


def gd_paths(path, lang):
    """Paths of SGD, SGD with momentum and Adam on the bowl J = (w1² + 10 w2²) / 2 (gradient-descent page)."""
    import glassnet
    from glassnet import optimizers

    def descend(optimizer, steps=30):
        w = glassnet.Variable(np.array([-4.0, 1.5], dtype="float32"))
        points = [w.numpy().copy()]
        for _ in range(steps):
            w.value.grad = None
            v = w.value
            (0.5 * (v[0] ** 2 + 10.0 * v[1] ** 2)).backward()
            optimizer.apply([w.value.grad], [w])
            points.append(w.numpy().copy())
        return np.array(points)

    a, b = np.meshgrid(np.linspace(-4.5, 4.5, 200), np.linspace(-2, 2, 200))
    fig = _figure(7.0, 3.4, lang)
    ax = fig.add_subplot()
    ax.contour(a, b, 0.5 * (a ** 2 + 10 * b ** 2), levels=np.geomspace(0.05, 40, 12), colors="0.75", linewidths=0.8)
    runs = [("SGD, η = 0.05", optimizers.SGD(0.05), "tab:blue"),
            ("SGD, η = 0.18", optimizers.SGD(0.18), "tab:orange"),
            (_t(lang, "SGD + momentum 0.9, η = 0.02", "SGD + 动量 0.9, η = 0.02"),
             optimizers.SGD(0.02, momentum=0.9), "tab:green"),
            ("Adam, η = 0.3", optimizers.Adam(0.3), "tab:red")]
    for label, optimizer, color in runs:
        p = descend(optimizer)
        ax.plot(p[:, 0], p[:, 1], "o-", ms=3, lw=1.2, color=color, label=label)
    ax.plot([0], [0], "k*", ms=10)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title(_t(lang, "30 steps from (-4, 1.5)", "从 (-4, 1.5) 出发走 30 步"))
    ax.legend(fontsize=8, loc="lower right")
    _save(fig, path)


FIGURES.update({
    "activations": activations_and_derivatives,
    "loss-bce-vs-mse": loss_bce_vs_mse,
    "gd-paths": gd_paths,
})


def augmentation(path, lang):
    """One MNIST digit and eight random augmentations of it (rotation, zoom, translation; preprocessing page)."""
    import glassnet
    from glassnet import layers

    x, _ = _mnist()
    image = x[:1, :, :, None].astype("float32") / 255.0
    glassnet.utils.set_random_seed(0)
    augment = glassnet.Sequential([glassnet.Input(shape=image.shape[1:]), layers.RandomRotation(0.1),
                                   layers.RandomZoom(0.1), layers.RandomTranslation(0.1, 0.1)])
    fig = _figure(7.5, 1.3, lang)
    axes = fig.subplots(1, 9)
    pictures = [image[0]] + [glassnet.ops.convert_to_numpy(augment(image, training=True))[0] for _ in range(8)]
    for k, (ax, picture) in enumerate(zip(axes, pictures)):
        ax.imshow(np.asarray(picture)[:, :, 0], cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(_t(lang, "original", "原图") if k == 0 else str(k), fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    _save(fig, path)


FIGURES.update({
    "augmentation": augmentation,
})


def overfitting_curves(path, lang):
    """Training and validation loss on 300 MNIST images: plain, with dropout, with augmentation (overfitting page)."""
    import glassnet
    from glassnet import layers

    x, y = _mnist(1300)
    x = x[:, :, :, None].astype("float32") / 255.0
    x_train, y_train, x_val, y_val = x[:300], y[:300], x[300:], y[300:]
    runs = [("plain", _t(lang, "plain", "无正则化"), [], 0.0),
            ("dropout", _t(lang, "dropout 0.5", "dropout 0.5"), [], 0.5),
            ("augmentation", _t(lang, "augmentation", "数据增强"),
             [layers.RandomRotation(0.05), layers.RandomTranslation(0.1, 0.1)], 0.0)]
    fig = _figure(9.0, 2.9, lang)
    axes = fig.subplots(1, 3, sharey=True)
    for ax, (_, title, extra, rate) in zip(axes, runs):
        glassnet.utils.set_random_seed(0)
        model = glassnet.Sequential([glassnet.Input(shape=x.shape[1:]), *extra, layers.Flatten(),
                                     layers.Dense(256, activation="relu")]
                                    + ([layers.Dropout(rate)] if rate else [])
                                    + [layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        h = model.fit(x_train, y_train, epochs=40, batch_size=32, validation_data=(x_val, y_val), verbose=0).history
        epochs = np.arange(1, 41)
        ax.plot(epochs, h["loss"], label=_t(lang, "training", "训练集"))
        ax.plot(epochs, h["val_loss"], label=_t(lang, "validation", "验证集"))
        ax.set_title(title)
        ax.set_xlabel(_t(lang, "epoch", "轮次（epoch）"))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(_t(lang, "loss", "损失"))
    axes[0].set_ylim(0, 1.5)
    axes[0].legend()
    _save(fig, path)


def lr_schedules(path, lang):
    """Exponential, cosine and piecewise-constant learning-rate schedules over 400 steps (overfitting page)."""
    from glassnet.optimizers import schedules

    steps = np.arange(0, 401)
    runs = [("ExponentialDecay(0.01, 100, 0.5)", schedules.ExponentialDecay(0.01, decay_steps=100, decay_rate=0.5)),
            ("CosineDecay(0.01, 400)", schedules.CosineDecay(0.01, decay_steps=400)),
            ("PiecewiseConstantDecay([150, 300], [0.01, 0.003, 0.001])",
             schedules.PiecewiseConstantDecay([150, 300], [0.01, 0.003, 0.001]))]
    fig = _figure(6.0, 3.0, lang)
    ax = fig.add_subplot()
    for label, schedule in runs:
        ax.plot(steps, [float(schedule(int(s))) for s in steps], lw=2, label=label)
    ax.set_xlabel(_t(lang, "training step (batch)", "训练步数（批次）"))
    ax.set_ylabel(_t(lang, "learning rate", "学习率"))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    _save(fig, path)


FIGURES.update({
    "overfitting-curves": overfitting_curves,
    "lr-schedules": lr_schedules,
})


def conv_feature_maps(path, lang):
    """A digit, its Sobel edge maps, and the feature maps of four filters of a briefly trained Conv2D (CNN page)."""
    import glassnet
    from glassnet import layers

    x, y = _mnist(2000)
    x = x[:, :, :, None].astype("float32") / 255.0
    image = x[:1]
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype="float32")
    edges = layers.Conv2D(2, 3, padding="same", use_bias=False)
    edges.build((None, 28, 28, 1))
    edges.set_weights([np.stack([sobel, sobel.T], axis=-1)[:, :, None, :]])
    edge_maps = glassnet.ops.convert_to_numpy(edges(image))[0]
    glassnet.utils.set_random_seed(0)
    first = layers.Conv2D(8, 3, padding="same", activation="relu")
    model = glassnet.Sequential([glassnet.Input(shape=(28, 28, 1)), first, layers.MaxPooling2D(2),
                                 layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                                 layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    learned = glassnet.ops.convert_to_numpy(first(image))[0]
    pictures = [(image[0, :, :, 0], _t(lang, "input", "输入"), "gray_r"),
                (edge_maps[:, :, 0], _t(lang, "vertical edges", "竖直边缘"), "RdBu_r"),
                (edge_maps[:, :, 1], _t(lang, "horizontal edges", "水平边缘"), "RdBu_r")]
    pictures += [(learned[:, :, k], _t(lang, f"learned filter {k + 1}", f"学到的滤波器 {k + 1}"), "viridis")
                 for k in range(4)]
    fig = _figure(10.0, 1.9, lang)
    axes = fig.subplots(1, len(pictures))
    for ax, (picture, title, cmap) in zip(axes, pictures):
        if cmap == "RdBu_r":
            limit = float(np.abs(picture).max()) or 1.0
            ax.imshow(picture, cmap=cmap, vmin=-limit, vmax=limit)
        else:
            ax.imshow(picture, cmap=cmap)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    _save(fig, path)


FIGURES.update({
    "conv-feature-maps": conv_feature_maps,
})


def attention_weights(path, lang):
    """Heat map: attention weights of a one-head attention layer trained to reverse sequences of 8 digits (the
    attention page's example): position i looks at position 7 - i."""
    import glassnet
    from glassnet import layers, ops

    length, vocabulary, dim = 8, 10, 32
    rng = np.random.default_rng(0)
    x = rng.integers(0, vocabulary, size=(3000, length))
    glassnet.utils.set_random_seed(0)

    class TokenAndPosition(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.token = layers.Embedding(vocabulary, dim)
            self.position = layers.Embedding(length, dim)

        def call(self, ids):
            return self.token(ids) + self.position(ops.arange(0, ops.shape(ids)[-1], 1))

    embed = TokenAndPosition()
    attention = layers.MultiHeadAttention(num_heads=1, key_dim=dim)
    inputs = glassnet.Input(shape=(length,), dtype="int32")
    h = embed(inputs)
    outputs = layers.Dense(vocabulary, activation="softmax")(attention(h, h))
    model = glassnet.Model(inputs, outputs)
    model.compile(optimizer=glassnet.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.fit(x, x[:, ::-1], epochs=8, batch_size=64, verbose=0)
    example = x[:1]
    _, scores = attention(embed(example), embed(example), return_attention_scores=True)
    weights = np.asarray(ops.convert_to_numpy(scores))[0, 0]
    labels = [f"{i}: {d}" for i, d in enumerate(example[0])]
    fig = _figure(4.6, 4.0, lang)
    ax = fig.add_subplot()
    im = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(length))
    ax.set_xticklabels(labels, rotation=90, fontsize=8)
    ax.set_yticks(range(length))
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlabel(_t(lang, "key: position: digit", "键：位置：数字"))
    ax.set_ylabel(_t(lang, "query: position: digit", "查询：位置：数字"))
    ax.set_title(_t(lang, "attention weights after learning to reverse", "学会倒序之后的注意力权重"), fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046)
    _save(fig, path)


FIGURES.update({
    "attention-weights": attention_weights,
})


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
