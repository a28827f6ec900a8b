"""``glassnet serve``: a model behind TensorFlow Serving's REST API, and a page to draw digits on.

    $ glassnet serve mnist.keras            # http://127.0.0.1:8501/
    $ curl -d '{"instances": [[[0.0, ...]]]}' localhost:8501/v1/models/mnist:predict
    {"predictions": [[0.01, 0.02, ...]]}

``signature`` describes the model's inputs and outputs (the metadata
endpoint), ``requests`` turns request bodies into arrays and answers into
JSON (every check a 400 needs), ``batching`` stacks concurrent requests into
one predict, ``app`` holds the routes (Starlette), ``command`` the CLI.
Only ``app`` and ``command`` need the ``serve`` extra (starlette, uvicorn),
and only when the command runs: ``import glassnet`` never loads them.
"""
