"""Robotic-lab nodes over HTTP/JSON: the client instrument and a reference node server.

The protocol, in the spirit of SiLA 2 commands, ORNL INTERSECT and Argonne MADSci action nodes: a node
advertises typed actions, accepts a run of one action, and reports the run's status and results.

    GET  /info              -> {"name", "kind": "node", "version", "actions": [{"name", "parameters", "outcomes"}]}
    POST /actions/{action}  -> 202 {"run_id"}      body {"args": {parameter: value}}
    GET  /runs/{run_id}     -> {"status": "running" | "succeeded" | "failed", "values": {...}, "message"}
                               (optionally "noise": {outcome: standard deviation} with the values)

`NodeInstrument` drives a node: it posts `run` and polls until the run ends or the timeout passes (then it
reports a timeout). `NodeServer` serves any `Instrument` this way on loopback, and can fail, hang or answer
garbage on purpose, so tests and demos exercise every path a real lab node can take.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from genesis_platform.discovery.instrument import Instrument, InstrumentInfo, Measurement, RunStatus
from genesis_platform.discovery.space import Point

__all__ = ["NodeInstrument", "NodeServer"]


def _numbers(values: Mapping[Any, Any]) -> dict[str, float]:
    clean: dict[str, float] = {}
    for k, v in values.items():
        try:
            clean[str(k)] = float(v)
        except (TypeError, ValueError):
            raise RuntimeError(f"the node returned garbage for {k}: {v!r}") from None
    return clean


class NodeInstrument(Instrument):
    """An instrument on the other side of the node protocol.

    Args:
        url: the node's base URL (`http://host:port`).
        poll: seconds between status requests.
        request_timeout: seconds one HTTP request may take.
    """

    def __init__(self, url: str, poll: float = 0.05, request_timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a node URL starts with http:// or https://, not {url!r}")
        self.url = url.rstrip("/")
        self.poll = poll
        self.request_timeout = request_timeout
        self._info: InstrumentInfo | None = None

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(
                request, timeout=self.request_timeout
            ) as response:  # the URL is checked to be http(s) on construction
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"node {self.url} answered {error.code} to {method} {path}") from None
        except (urllib.error.URLError, OSError) as error:
            raise RuntimeError(f"node {self.url} cannot be reached: {getattr(error, 'reason', error)}") from None
        except json.JSONDecodeError:
            raise RuntimeError(f"node {self.url} answered {method} {path} with something that is not JSON") from None

    def info(self) -> InstrumentInfo:
        """The node's self-description (fetched once)."""
        if self._info is None:
            raw = self._call("GET", "/info")
            try:
                self._info = InstrumentInfo.model_validate({**raw, "kind": "node"})
            except Exception as error:
                raise RuntimeError(
                    f"node {self.url} describes itself in a form this client cannot read: {error}"
                ) from None
        return self._info

    def ping(self) -> InstrumentInfo:
        """Ask the node to describe itself now."""
        self._info = None
        return self.info()

    def _run(self, point: Point, timeout: float | None) -> Measurement:
        self.info()
        started = time.monotonic()
        answer = self._call("POST", "/actions/run", {"args": point})
        run_id = answer.get("run_id") if isinstance(answer, dict) else None
        if not run_id:
            raise RuntimeError(f"node {self.url} accepted the run without a run_id")
        while True:
            state = self._call("GET", f"/runs/{run_id}")
            status = state.get("status") if isinstance(state, dict) else None
            if status == "succeeded":
                values = state.get("values")
                if not isinstance(values, dict):
                    raise RuntimeError("the node reported success without values")
                clean, noise = _numbers(values), state.get("noise")
                if noise is not None and not isinstance(noise, dict):
                    raise RuntimeError(f"the node returned garbage for noise: {noise!r}")
                return Measurement(
                    status=RunStatus.SUCCEEDED,
                    values=clean,
                    noise=None if noise is None else _numbers(noise),
                    details={"run_id": run_id},
                )
            if status == "failed":
                raise RuntimeError(f"the node reported failure: {state.get('message', 'no reason given')}")
            if status != "running":
                raise RuntimeError(f"the node reported an unknown status {status!r}")
            if timeout is not None and time.monotonic() - started > timeout:
                raise TimeoutError(f"no answer from node {self.url} within {timeout:g} s (run {run_id})")
            time.sleep(self.poll)


class NodeServer:
    """A reference node: serves an instrument over the node protocol on loopback, in a background thread.

    Args:
        instrument: what the node runs.
        name: the name it advertises.
        fail_every: every n-th run fails (0: never).
        hang_every: every n-th run never finishes (0: never).
        garbage_every: every n-th run reports non-numeric values (0: never).
        delay: seconds each run takes.
        host: the interface to bind (loopback by default).
        port: the port (0 picks a free one).
    """

    def __init__(
        self,
        instrument: Instrument,
        name: str = "reference-node",
        fail_every: int = 0,
        hang_every: int = 0,
        garbage_every: int = 0,
        delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.instrument = instrument
        self.name = name
        self.fail_every, self.hang_every, self.garbage_every = fail_every, hang_every, garbage_every
        self.delay = delay
        self.runs: dict[str, dict[str, Any]] = {}
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"node-{name}", daemon=True)

    @property
    def url(self) -> str:
        """The base URL clients use."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> NodeServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _describe(self) -> dict[str, Any]:
        info = self.instrument.info()
        return {
            "name": self.name,
            "version": info.version,
            "actions": [a.model_dump(mode="json") for a in info.actions],
            "description": f"reference node serving {info.name}",
        }

    def _start(self, args: Mapping[str, Any]) -> str:
        number = next(self._count)
        run_id = f"run-{number}"
        with self._lock:
            self.runs[run_id] = {"status": "running", "values": {}, "message": ""}
        if self.hang_every and number % self.hang_every == 0:
            return run_id  # never finishes: the client's timeout must notice

        def work() -> None:
            time.sleep(self.delay)
            if self.fail_every and number % self.fail_every == 0:
                result = {"status": "failed", "values": {}, "message": f"run {number} failed on purpose (gripper jam)"}
            else:
                measured = self.instrument.execute(dict(args))
                if measured.status is RunStatus.SUCCEEDED:
                    values: dict[str, Any] = dict(measured.values)
                    if self.garbage_every and number % self.garbage_every == 0:
                        values = dict.fromkeys(values, "overflow")
                    result = {"status": "succeeded", "values": values, "message": ""}
                    if measured.noise:
                        result["noise"] = dict(measured.noise)
                else:
                    result = {"status": "failed", "values": {}, "message": measured.message}
            with self._lock:
                self.runs[run_id] = result

        threading.Thread(target=work, daemon=True).start()
        return run_id

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read results, not logs
                del format, args

            def _send(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/info":
                    self._send(200, node._describe())
                elif self.path.startswith("/runs/"):
                    with node._lock:
                        run = node.runs.get(self.path.removeprefix("/runs/"))
                    self._send(200, run) if run is not None else self._send(404, {"error": "no such run"})
                else:
                    self._send(404, {"error": "unknown path"})

            def do_POST(self) -> None:
                if self.path != "/actions/run":
                    self._send(404, {"error": "unknown action"})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                    args = body["args"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    self._send(400, {"error": 'POST a JSON body {"args": {...}}'})
                    return
                self._send(202, {"run_id": node._start(args)})

        return Handler
