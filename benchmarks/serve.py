"""`glassnet serve` on loopback: predict latency, throughput under concurrency, memory over 10,000 requests.

For the MNIST MLP (Flatten -> Dense(128, relu) -> Dense(10, softmax)) and a
small convnet (Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool -> Flatten ->
Dense(10)), each saved to a temporary .keras file and served by
``glassnet serve`` in its own process (with and without ``--batch-window-ms``):

- latency p50/p99 of one-image predict requests from one client;
- throughput (requests/s, one image each) with 1, 16 and 32 concurrent clients;
- the server's resident memory (/proc) before and after 10,000 requests.

Clients are threads in this process, each on its own keep-alive connection
(http.client), on the same machine: on a small machine they compete with the
server for the cores, so the numbers are a floor.

    python benchmarks/serve.py
    python benchmarks/serve.py --seconds 5 --windows 0,2,10 --memory-requests 10000
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
HERE = os.path.dirname(os.path.abspath(__file__))


def mlp(keras):
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
                             keras.layers.Dense(10, activation="softmax")], name="mnist_mlp")


def convnet(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ], name="mnist_convnet")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path, name, window):
    port = free_port()
    command = [sys.executable, "-m", "glassnet.cli", "serve", path, "--port", str(port), "--name", name,
               "--batch-window-ms", str(window)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", f"/v1/models/{name}")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


class Client:
    """One keep-alive connection sending the same predict body."""

    def __init__(self, port, name, body):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.path, self.body = f"/v1/models/{name}:predict", body
        self.headers = {"Content-Type": "application/json"}

    def predict(self):
        self.connection.request("POST", self.path, self.body, self.headers)
        response = self.connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")


def latency(port, name, body, count):
    client = Client(port, name, body)
    for _ in range(50):
        client.predict()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        client.predict()
        times.append(time.perf_counter() - start)
    return np.percentile(times, 50) * 1000, np.percentile(times, 99) * 1000


def throughput(port, name, body, clients, seconds):
    """Requests per second with ``clients`` threads sending for ``seconds``."""
    counts, barrier = [0] * clients, threading.Barrier(clients + 1)
    stop = [False]

    def work(index):
        client = Client(port, name, body)
        client.predict()
        barrier.wait()
        while not stop[0]:
            client.predict()
            counts[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    time.sleep(seconds)
    stop[0] = True
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - start)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory(process, port, name, body, requests):
    def work(count):
        client = Client(port, name, body)
        for _ in range(count):
            client.predict()

    before = rss_mib(process.pid)
    threads = [threading.Thread(target=work, args=(requests // 4,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return before, rss_mib(process.pid)


def bench(path, name, shape, window, args):
    body = json.dumps({"instances": np.random.default_rng(0).random((1,) + shape).round(3).tolist()})
    process, port = start_server(path, name, window)
    try:
        p50, p99 = latency(port, name, body, args.latency_requests)
        rates = {n: throughput(port, name, body, n, args.seconds) for n in (1, 16, 32)}
        before, after = memory(process, port, name, body, args.memory_requests)
    finally:
        process.terminate()
        code = process.wait(30)
    rate_text = "  ".join(f"{n:>2} clients {rate:7.0f}/s" for n, rate in rates.items())
    print(f"{name:14s} window {window:>4} ms  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  {rate_text}  "
          f"RSS {before:6.1f} -> {after:6.1f} MiB after {args.memory_requests} requests  (exit {code})", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each throughput run")
    parser.add_argument("--windows", default="0,2", help="batch windows in ms, comma-separated (0: no batching)")
    parser.add_argument("--latency-requests", type=int, default=500)
    parser.add_argument("--memory-requests", type=int, default=10000)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(HERE, "..", "src"))
    import glassnet as keras

    print(f"glassnet serve on loopback, {os.cpu_count()} cores, one 28x28 image per request", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for build, shape in ((mlp, (28, 28)), (convnet, (28, 28, 1))):
            model = build(keras)
            path = os.path.join(folder, f"{model.name}.keras")
            model.save(path)
            for window in args.windows.split(","):
                bench(path, model.name, shape, float(window), args)


if __name__ == "__main__":
    main()
