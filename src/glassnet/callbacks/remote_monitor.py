"""RemoteMonitor: POST each epoch's logs, as JSON, to a server."""

import warnings

import numpy as np

from glassnet.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Send ``{"epoch": epoch, **logs}`` to ``root + path`` at the end of every epoch (``keras.callbacks.RemoteMonitor``).

    With ``send_as_json=True`` the body is the JSON itself (Content-Type
    application/json); otherwise it is a form, ``field=<the JSON>``
    (application/x-www-form-urlencoded), as Keras sends it. Keras uses the
    ``requests`` library; glassnet posts with the standard library's urllib.
    A server that cannot be reached gives a warning, not an error.

    Args:
        root: the server's root URL. Default "http://localhost:9000".
        path: the path under ``root``. Default "/publish/epoch/end/".
        field: the form field holding the JSON (when ``send_as_json=False``).
        headers: extra HTTP headers, a dict.
        send_as_json: send the JSON as the request body.
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data", headers=None,
                 send_as_json=False):
        super().__init__()
        if not isinstance(root, str) or not root.lower().startswith(("http://", "https://")):
            raise ValueError(f"RemoteMonitor: root must be an http:// or https:// URL, got {root!r}")
        if headers is not None and not isinstance(headers, dict):
            raise ValueError(f"RemoteMonitor: headers must be a dict or None, got {headers!r}")
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = 10.0

    def on_epoch_end(self, epoch, logs=None):
        import json  # here, not at the top: ``import glassnet`` stays fast
        import urllib.error
        import urllib.parse
        import urllib.request

        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            content_type = "application/json"
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("ascii")
            content_type = "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, **(self.headers or {})}
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:  # the server answered (as with requests, no warning)
            error.close()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
