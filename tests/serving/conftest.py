"""Servers for the serving tests: `glassnet serve` started as a subprocess on a free loopback port."""

import os
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("starlette", reason="glassnet serve needs the serve extra (starlette, uvicorn)")
pytest.importorskip("uvicorn", reason="glassnet serve needs the serve extra (starlette, uvicorn)")
httpx = pytest.importorskip("httpx", reason="the serving tests talk to the server with httpx")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test of many seconds (deselect with -m 'not slow')")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running ``glassnet serve`` process: ``url``, ``process``, ``rss()``; ``stop()`` sends SIGTERM."""

    def __init__(self, model_path, *options, name=None):
        self.port = free_port()
        self.name = name or os.path.splitext(os.path.basename(model_path))[0]
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "glassnet.cli", "serve", str(model_path), "--port", str(self.port), *options]
        if name:
            command += ["--name", name]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.process.stdout.read()}")
            try:
                if httpx.get(f"{self.url}/v1/models/{self.name}", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not answer within 60 s")

    def predict_url(self):
        return f"{self.url}/v1/models/{self.name}:predict"

    def rss(self):
        """Resident memory of the server process in bytes, from /proc."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS line")

    def stop(self, sig=None):
        """Signal the server (SIGTERM by default) and return its exit status and output."""
        import signal

        if self.process.poll() is None:
            self.process.send_signal(sig or signal.SIGTERM)
        try:
            output, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return self.process.returncode, output


def make_mnist_model():
    """A small MNIST-shaped classifier: (28, 28) -> softmax over 10; the input named (session fixtures are built
    before the per-test clear_session, so default names would depend on the tests that ran before)."""
    import glassnet as keras
    from glassnet import layers

    return keras.Sequential([keras.Input(shape=(28, 28), name="image"), layers.Flatten(),
                             layers.Dense(32, activation="relu"), layers.Dense(10, activation="softmax")])


def make_two_way_model():
    """Two named inputs, two named outputs."""
    import glassnet as keras
    from glassnet import layers

    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    joined = layers.Concatenate()([a, b])
    return keras.Model([a, b], [layers.Dense(2, name="o1")(joined), layers.Dense(1, name="o2")(joined)])


@pytest.fixture(scope="session")
def mnist_model_file(tmp_path_factory):
    import glassnet

    glassnet.utils.set_random_seed(7)
    path = tmp_path_factory.mktemp("serve") / "mnist.keras"
    make_mnist_model().save(path)
    return path


@pytest.fixture(scope="session")
def mnist_model(mnist_model_file):
    import glassnet

    return glassnet.models.load_model(mnist_model_file, compile=False)


@pytest.fixture(scope="session")
def mnist_server(mnist_model_file):
    server = Server(mnist_model_file, "--max-body", str(1 << 20))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def batching_server(mnist_model_file):
    server = Server(mnist_model_file, "--batch-window-ms", "5", name="batched")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def two_way_model_file(tmp_path_factory):
    import glassnet

    glassnet.utils.set_random_seed(8)
    path = tmp_path_factory.mktemp("serve") / "two.keras"
    make_two_way_model().save(path)
    return path


@pytest.fixture(scope="session")
def two_way_server(two_way_model_file):
    server = Server(two_way_model_file)
    yield server
    server.stop()


@pytest.fixture
def start_server():
    """Start servers for one test: ``start_server(model_path, *options)``; stopped afterwards."""
    servers = []

    def start(model_path, *options, name=None):
        servers.append(Server(model_path, *options, name=name))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
