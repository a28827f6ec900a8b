"""Every code block of the documentation runs, and every output a page shows is the output it gets.

Conventions for the pages under ``docs/en`` and ``docs/zh`` (Markdown, fenced code blocks):

- A ```` ```python ```` block runs. A page's blocks run in page order in one namespace (a later block
  uses the names of the earlier ones), in a fresh temporary working directory (files a page writes
  vanish), after ``glassnet.utils.clear_session()`` so layer names start from scratch as in a new
  interpreter. Pages seed themselves (``glassnet.utils.set_random_seed(0)``) where results depend
  on randomness, use small data (slices of MNIST from ``$GLASSNET_DATASETS``) and ``verbose=0``:
  a page's code should take under about 20 s on two cores.
- A ```` ```text ```` block that follows a python block, with only blank lines between, is what that
  block prints (its standard output). The comparison: runs of whitespace count as one space; a line
  holding only ``...`` matches any number of lines; numbers written with a decimal point or an
  exponent match when they agree within 5 % (relative) or 0.01 (absolute), so a page may show
  ``0.86`` for ``0.858`` and small differences between machines pass; everything else (words,
  integers, punctuation) must be equal. So: no progress bars (``verbose=0``), print what you show,
  and print rounded numbers where the last digits are noise.
- Code that must not run is fenced ```` ```bash ```` (shell commands: ``mpirun``, ``glassnet serve``,
  ``pip install``, ...), or ```` ```{.python .no-run} ```` for Python shown but not run (a script
  meant for another process or machine). ```` ```text ```` blocks not following a python block and any
  other fence are never run.
- A page whose code imports a package that is an optional dependency (Keras, PyTorch, ONNX,
  ONNX Runtime, matplotlib, mpi4py) is skipped when that package is not installed; the ``test`` extra
  installs all of them. ``KERAS_BACKEND`` defaults to ``torch`` and matplotlib to ``Agg``.
- Every page exists in both languages with the same file name, and the Chinese page has the same
  code blocks as the English one: python blocks equal once comments are removed, no-run blocks
  equal once ``#`` comments (at a line's start or after a space) are removed, text blocks (outputs)
  equal as written. Only prose and comments are translated.
"""

import contextlib
import io
import math
import os
import re
import sys
import time
import tokenize

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")
LANGUAGES = ("en", "zh")
OPTIONAL = {"keras", "torch", "onnx", "onnxruntime", "matplotlib", "tensorboard", "pydot", "PIL",
            "starlette", "uvicorn", "httpx", "sklearn", "mpi4py"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*(?:\s*\{[^}]*\})?)\s*$")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


# --- reading pages --------------------------------------------------------------------------------
def pages(lang="en"):
    """Every Markdown page of one language, as paths relative to docs/<lang>."""
    found = []
    base = os.path.join(DOCS, lang)
    for folder, _, files in os.walk(base):
        for name in files:
            if name.endswith(".md"):
                found.append(os.path.relpath(os.path.join(folder, name), base).replace(os.sep, "/"))
    return sorted(found)


def blocks(path):
    """The fenced blocks of a page: dicts with kind ("python", "text", "no-run", "other"), code, line."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    found, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not (lines[i].strip() == fence and lines[i].startswith(indent)):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        if info == "python":
            kind = "python"
        elif info == "text":
            kind = "text"
        elif ".no-run" in info or info in ("bash", "sh", "console", "shell"):
            kind = "no-run"
        else:
            kind = "other"
        # an output block belongs to the python block right before it (blank lines only between)
        previous_end = found[-1]["end"] if found else None
        follows = previous_end is not None and all(not lines[k].strip() for k in range(previous_end, start - 1))
        found.append({"kind": kind, "info": info, "code": "\n".join(body) + "\n", "line": start,
                      "end": i, "follows": follows})
    return found


def runnable(path):
    """(python block, shown output or None) pairs of a page, in page order."""
    found = blocks(path)
    pairs = []
    for k, block in enumerate(found):
        if block["kind"] != "python":
            continue
        nxt = found[k + 1] if k + 1 < len(found) else None
        shown = nxt["code"] if nxt is not None and nxt["kind"] == "text" and nxt["follows"] else None
        pairs.append((block, shown))
    return pairs


# --- comparing outputs ----------------------------------------------------------------------------
def _tokens(line):
    """A line as a list of ("num", float, is_float) and ("text", str) items, whitespace collapsed."""
    out, pos = [], 0
    for m in NUMBER.finditer(line):
        text = " ".join(line[pos:m.start()].split())
        if text:
            out.append(("text", text))
        s = m.group()
        out.append(("num", float(s), any(c in s for c in ".eE")))
        pos = m.end()
    text = " ".join(line[pos:].split())
    if text:
        out.append(("text", text))
    return out


def _same_line(shown, got):
    a, b = _tokens(shown), _tokens(got)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x[0] != y[0]:
            return False
        if x[0] == "text":
            if x[1] != y[1]:
                return False
        elif x[2] or y[2]:  # a decimal number: 5 % or 0.01
            if not math.isclose(x[1], y[1], rel_tol=0.05, abs_tol=0.01):
                return False
        elif x[1] != y[1]:
            return False
    return True


def output_matches(shown, got):
    """True when the printed output ``got`` is what the page shows (the rule in the module docstring)."""
    want = [line for line in shown.strip("\n").splitlines() if line.strip()]
    have = [line for line in got.strip("\n").splitlines() if line.strip()]

    def match(i, j):
        if i == len(want):
            return j == len(have)
        if want[i].strip() == "...":
            return any(match(i + 1, k) for k in range(j, len(have) + 1))
        return j < len(have) and _same_line(want[i], have[j]) and match(i + 1, j + 1)

    return match(0, 0)


# --- running a page -------------------------------------------------------------------------------
def run_page(path, workdir):
    """Run a page's python blocks in one namespace; returns a list of problems (empty when fine)."""
    import glassnet

    os.environ.setdefault("KERAS_BACKEND", "torch")
    os.environ.setdefault("MPLBACKEND", "Agg")
    glassnet.utils.clear_session()
    namespace = {"__name__": "__main__"}
    problems = []
    previous = os.getcwd()
    os.chdir(workdir)
    try:
        for block, shown in runnable(path):
            where = f"{os.path.relpath(path, ROOT)}:{block['line']}"
            out = io.StringIO()
            try:
                code = compile(block["code"], where, "exec")
                with contextlib.redirect_stdout(out):
                    exec(code, namespace)
            except ImportError as error:
                cause = error if isinstance(error, ModuleNotFoundError) else error.__cause__
                name = getattr(cause, "name", None) or ""
                if isinstance(cause, ModuleNotFoundError) and name.split(".")[0] in OPTIONAL:
                    pytest.skip(f"{where} needs {name}, an optional dependency (pip install -e '.[test]')")
                raise
            if shown is not None and not output_matches(shown, out.getvalue()):
                problems.append(f"{where}: the page shows\n{shown}\nbut the block printed\n{out.getvalue()}")
    finally:
        os.chdir(previous)
    return problems


PAGES = [(lang, page) for lang in LANGUAGES for page in pages(lang)
         if runnable(os.path.join(DOCS, lang, page))]


@pytest.mark.parametrize("lang,page", PAGES, ids=[f"{lang}/{page}" for lang, page in PAGES])
def test_page_code_runs_and_shows_its_output(lang, page, tmp_path):
    from _shared_data import mnist_available

    path = os.path.join(DOCS, lang, page)
    if "mnist" in open(path, encoding="utf-8").read() and not mnist_available():
        pytest.skip("MNIST is not on disk (set GLASSNET_DATASETS)")
    started = time.perf_counter()
    problems = run_page(path, str(tmp_path))
    assert not problems, "\n\n".join(problems)
    seconds = time.perf_counter() - started
    sys.stderr.write(f"{lang}/{page}: {seconds:.1f} s\n")


# --- the two languages ----------------------------------------------------------------------------
def _without_comments(code):
    """The token stream of Python code without comments and blank lines."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    return [(t.type, t.string) for t in tokens
            if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT)]


def _code_blocks(path):
    out = []
    for block in blocks(path):
        if block["kind"] == "python":
            out.append(("python", _without_comments(block["code"])))
        elif block["kind"] == "no-run":
            lines = [re.sub(r"(^|\s)#.*$", "", line).rstrip() for line in block["code"].splitlines()]
            out.append(("no-run", "\n".join(line for line in lines if line)))
        elif block["kind"] == "text":
            out.append(("text", block["code"].strip()))
    return out


def test_every_page_exists_in_both_languages():
    assert pages("en") == pages("zh"), "docs/en and docs/zh must hold the same file names"


@pytest.mark.parametrize("page", sorted(set(pages("en")) & set(pages("zh"))))
def test_chinese_page_has_the_english_code(page):
    en, zh = _code_blocks(os.path.join(DOCS, "en", page)), _code_blocks(os.path.join(DOCS, "zh", page))
    assert [kind for kind, _ in en] == [kind for kind, _ in zh], f"{page}: the code blocks differ in number or kind"
    for k, (a, b) in enumerate(zip(en, zh)):
        assert a == b, f"{page}: code block {k + 1} ({a[0]}) differs between docs/en and docs/zh beyond comments"


# --- the rule itself ------------------------------------------------------------------------------
def test_output_rule():
    assert output_matches("loss 0.43, accuracy 0.86\n", "loss 0.4291, accuracy 0.858\n")
    assert not output_matches("accuracy 0.86\n", "accuracy 0.70\n")
    assert not output_matches("(60000, 28, 28)\n", "(60000, 28, 29)\n")
    assert output_matches("a\n...\nz\n", "a\nb\nc\nz\n")
    assert output_matches("[7 2 1]\n", "[7  2  1]\n")
    assert not output_matches("dense\n", "dense_1\n")
