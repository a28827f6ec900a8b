"""`glassnet serve` under load: concurrent clients, batching, memory over many requests, shutdown."""

import json
import os
import signal
import threading
import time

import httpx
import numpy as np
import pytest

MEMORY_REQUESTS = int(os.environ.get("GLASSNET_SERVE_MEMORY_REQUESTS", "10000"))


def run_clients(count, work):
    """Run ``work(index)`` in ``count`` threads at once; re-raise the first failure."""
    errors, barrier = [], threading.Barrier(count)

    def client(index):
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # noqa: BLE001 -- reported below
            errors.append(error)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if errors:
        raise errors[0]


def check_own_answers(server, model, clients=16, requests_each=8):
    """Every client sends its own images and must get model.predict's answer for them, not another's."""
    def work(index):
        rng = np.random.default_rng(100 + index)
        with httpx.Client(timeout=60) as http:
            for _ in range(requests_each):
                x = rng.random((int(rng.integers(1, 4)), 28, 28), dtype=np.float32)
                answer = http.post(server.predict_url(), content=json.dumps({"instances": x.tolist()}))
                assert answer.status_code == 200, answer.text
                np.testing.assert_allclose(answer.json()["predictions"], model.predict(x, verbose=0),
                                           rtol=1e-4, atol=1e-6)

    run_clients(clients, work)


def test_16_concurrent_clients_get_their_own_answers(mnist_server, mnist_model):
    check_own_answers(mnist_server, mnist_model)


def test_batching_window_splits_answers_back(batching_server, mnist_model):
    check_own_answers(batching_server, mnist_model)


def test_bounded_load_loop(mnist_server):
    """Four clients for about two seconds: every answer is 200 and the server still answers afterwards."""
    body = json.dumps({"instances": np.zeros((1, 28, 28)).tolist()})
    counts, deadline = [0] * 4, time.monotonic() + 2.0

    def work(index):
        with httpx.Client(timeout=30) as http:
            while time.monotonic() < deadline:
                assert http.post(mnist_server.predict_url(), content=body).status_code == 200
                counts[index] += 1

    run_clients(4, work)
    assert sum(counts) > 0 and min(counts) > 0
    assert httpx.get(f"{mnist_server.url}/v1/models/mnist").status_code == 200


@pytest.mark.slow
def test_memory_is_stable_over_many_requests(mnist_server):
    """RSS after MEMORY_REQUESTS requests (GLASSNET_SERVE_MEMORY_REQUESTS, 10,000 by default; about 11 s here)
    stays within 16 MiB of RSS after a warm-up; one request in ten is a bad one (the error path leaks nothing)."""
    body = json.dumps({"instances": np.random.default_rng(0).random((1, 28, 28)).tolist()})
    bad = b'{"instances": [[1, 2], [3]]}'

    def send(total):
        def work(index):
            with httpx.Client(timeout=30) as http:
                for i in range(total // 4):
                    answer = http.post(mnist_server.predict_url(), content=bad if i % 10 == 9 else body)
                    assert answer.status_code == (400 if i % 10 == 9 else 200)
        run_clients(4, work)

    send(1000)  # warm-up: thread pools, allocator arenas
    before = mnist_server.rss()
    send(MEMORY_REQUESTS)
    after = mnist_server.rss()
    assert after - before < 16 << 20, f"RSS grew from {before >> 20} MiB to {after >> 20} MiB"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_shut_down_with_exit_code_0(start_server, mnist_model_file, sig):
    server = start_server(mnist_model_file)
    assert httpx.post(server.predict_url(), content=json.dumps({"instances": np.zeros((1, 28, 28)).tolist()})
                      ).status_code == 200
    code, output = server.stop(sig)
    assert code == 0, output
    assert "Traceback" not in output


def test_requests_in_flight_finish_on_sigterm(start_server, mnist_model_file):
    server = start_server(mnist_model_file, "--batch-window-ms", "300")
    body = json.dumps({"instances": np.zeros((1, 28, 28)).tolist()})
    answers = []
    sender = threading.Thread(target=lambda: answers.append(httpx.post(server.predict_url(), content=body, timeout=30)))
    sender.start()
    time.sleep(0.15)  # the request waits in the 300 ms batching window
    code, output = server.stop(signal.SIGTERM)
    sender.join(30)
    assert code == 0, output
    assert answers and answers[0].status_code == 200
