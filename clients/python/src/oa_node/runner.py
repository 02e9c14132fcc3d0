"""Running agents: `run()` from a script, `serve()` from async code."""

from __future__ import annotations

import asyncio
import contextlib
import os

from .agent import WorkerAgent
from .connection import Connection


async def serve(*agents: WorkerAgent, data_dir: str | os.PathLike[str] | None = None, url: str | None = None,
                token: str | None = None, reconnect: bool = True) -> None:
    """Connects the agents to their node over one connection and serves them until cancelled.

    Example:
        >>> await serve(MilvusExpert(), DevopsExpert(), data_dir="./n3")  # doctest: +SKIP
    """
    conn = Connection(agents, data_dir=data_dir, url=url, token=token, reconnect=reconnect)
    try:
        await conn.run()
    finally:
        await conn.stop()


def run(*agents: WorkerAgent, data_dir: str | os.PathLike[str] | None = None, url: str | None = None,
        token: str | None = None, reconnect: bool = True) -> None:
    """Connects the agents and serves them until Ctrl-C.

    The node is found through its data dir as the CLI finds it (`api.json`, `api.token`;
    default `OA_DATA_DIR` or `~/.oa-node`), or at `url` with `token` (the node's API token, or
    one from `oa-node agents token <name>`).

    Example:
        >>> run(PythonExpert(), data_dir="./n2")  # doctest: +SKIP
    """
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(*agents, data_dir=data_dir, url=url, token=token, reconnect=reconnect))
