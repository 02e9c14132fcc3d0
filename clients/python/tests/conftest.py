"""Real oa-node processes for the tests: started from this checkout, stopped with SIGINT."""

from __future__ import annotations

import asyncio
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

REPO = Path(__file__).resolve().parents[3]
COMMUNITY = "devsupport"
T = TypeVar("T")


def node_command() -> list[str]:
    """`npx node bin/oa-node`: the Node 24 the project pins (node_modules/.bin/node), run directly so signals reach it."""
    pinned = REPO / "node_modules" / ".bin" / "node"
    return [str(pinned) if pinned.exists() else "node", str(REPO / "bin" / "oa-node")]


@dataclass
class NodeProcess:
    data_dir: Path
    args: list[str]
    proc: subprocess.Popen[str] | None = None
    started: dict[str, Any] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return str(self.started["api"])

    @property
    def peer_id(self) -> str:
        return str(self.started["peerId"])

    @property
    def tcp(self) -> str:
        return str(next(a for a in self.started["multiaddrs"] if "/tcp/" in a and "/ws" not in a))

    def start(self) -> NodeProcess:
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "a")
        self.proc = subprocess.Popen(
            [*node_command(), "start", "--json", "--data-dir", str(self.data_dir), *self.args],
            cwd=REPO, stdout=subprocess.PIPE, stderr=log, text=True,
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError(f"oa-node did not start: see {log.name}")
        self.started = json.loads(line)
        return self

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        return code

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Runs `oa-node <args> --data-dir <its data dir>` as a real process."""
        return subprocess.run([*node_command(), *args, "--data-dir", str(self.data_dir)], cwd=REPO,
                              capture_output=True, text=True, timeout=60, check=False)


@dataclass
class Network:
    a: NodeProcess
    b: NodeProcess


@pytest.fixture(scope="session")
def network() -> Iterator[Network]:
    """Two nodes in community devsupport on loopback; b joins through a."""
    root = Path(tempfile.mkdtemp(prefix="oa-py-"))
    base = ["--listen", "/ip4/127.0.0.1/tcp/0", "--api-port", "0", "--community", COMMUNITY]
    a = NodeProcess(root / "a", base).start()
    b = NodeProcess(root / "b", [*base, "--bootstrap", a.tcp]).start()
    try:
        yield Network(a, b)
    finally:
        b.stop()
        a.stop()
        if os.environ.get("OA_KEEP_TEST_DIRS") is None:
            shutil.rmtree(root, ignore_errors=True)


async def eventually(what: str, check: Callable[[], Awaitable[T | None]], timeout: float = 30.0) -> T:
    """Awaits `check` until it returns something other than None/False, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = await check()
            if value is not None and value is not False:
                return value
        except Exception as err:  # kept, to say why it never happened
            last = err
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for: {what}" + (f" (last error: {last})" if last else ""))
        await asyncio.sleep(0.2)
