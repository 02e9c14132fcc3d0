"""One WebSocket connection to a node's remote-agent gateway, hosting one or more agents."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .datadir import NodeAddress, find_node
from .errors import (
    ActionError,
    ConnectionRefusedByNodeError,
    NodeNotRunningError,
    NotConnectedError,
    OaNodeError,
    RegistrationError,
    TokenRevokedError,
)
from .messages import DirectRequest

if TYPE_CHECKING:
    from .agent import WorkerAgent

#: The subprotocol of version 1 of the remote-agent protocol (protocols/remote-agent.md).
PROTOCOL = "oa-agent.v1"
#: Where agents connect on the node's control API.
CONNECT_PATH = "/v1/agents/connect"
#: The close code of a revoked token.
CLOSE_REVOKED = 4001

log = logging.getLogger("oa_node")


class _StillRegistered(Exception):
    """A reconnection found the agent's name still held by its previous connection: retried."""


def _refusal(err: InvalidStatus) -> ConnectionRefusedByNodeError:
    response = err.response
    code, message = "http_error", f"HTTP {response.status_code}"
    try:
        error = json.loads(response.body or b"{}").get("error", {})
        code, message = error.get("code", code), error.get("message", message)
    except (ValueError, AttributeError):
        pass
    return ConnectionRefusedByNodeError(response.status_code, code, message)


class Connection:
    """Connects agents to their node and keeps them connected.

    It registers every agent once connected, passes the node's events and direct requests
    to their handlers, carries out their actions, and, when the connection drops, reconnects
    with backoff (0.5 s doubling to `max_backoff`) and registers them again. A refusal by the
    node (a wrong token, a name taken) is raised, not retried.

    Example:
        >>> conn = Connection([PythonExpert()], data_dir="./n2")  # doctest: +SKIP
        >>> await conn.run()  # doctest: +SKIP
    """

    def __init__(
        self,
        agents: Sequence[WorkerAgent],
        *,
        data_dir: str | os.PathLike[str] | None = None,
        url: str | None = None,
        token: str | None = None,
        reconnect: bool = True,
        max_backoff: float = 30.0,
    ) -> None:
        if not agents:
            raise ValueError("give at least one agent")
        names = [a.name for a in agents]
        if len(set(names)) != len(names):
            raise ValueError(f"two agents have the same name: {names}")
        if url is not None and token is None:
            raise ValueError("url= needs token= (the node's API token, or a token from `oa-node agents token <name>`)")
        self.agents = {a.name: a for a in agents}
        self.data_dir = data_dir
        self.url = url
        self.token = token
        self.reconnect = reconnect
        self.max_backoff = max_backoff
        #: The node's welcome frame of the current connection (peerId, version, communities, scope).
        self.welcome: dict[str, Any] = {}
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._requests: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self._started = False
        self.connected = asyncio.Event()

    def _address(self) -> NodeAddress:
        if self.url is not None and self.token is not None:
            return NodeAddress(self.url, self.token)
        return find_node(self.data_dir, self.token)

    async def run(self) -> None:
        """Connects, registers the agents and serves them until `stop()` (or a refusal, raised)."""
        backoff = 0.5
        ever_connected = False
        while not self._stopping:
            try:
                address = self._address()
                ws_url = address.url.replace("http", "ws", 1).rstrip("/") + CONNECT_PATH
                ws = await connect(
                    ws_url,
                    subprotocols=[PROTOCOL],  # type: ignore[list-item]
                    additional_headers={"Authorization": f"Bearer {address.token}"},
                    max_size=4 * 1024 * 1024,
                    open_timeout=10,
                )
            except InvalidStatus as err:
                raise _refusal(err) from None
            except (OSError, InvalidHandshake, NodeNotRunningError, TimeoutError, asyncio.TimeoutError) as err:
                if not ever_connected or not self.reconnect:
                    if isinstance(err, NodeNotRunningError):
                        raise
                    raise NodeNotRunningError(f"cannot connect to the oa-node at {self._where()}: {err}") from None
                log.warning("cannot reach the node (%s); trying again in %.1f s", err, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            reconnecting = ever_connected
            ever_connected = True
            backoff = 0.5
            try:
                await self._session(ws, reconnecting)
            except _StillRegistered as err:
                log.warning("%s; trying again in %.1f s", err, backoff)
            finally:
                await self._drop(ws)
            code = ws.close_code
            if self._stopping:
                break
            if code == CLOSE_REVOKED:
                raise TokenRevokedError(f"the node closed the connection: {ws.close_reason or 'the token was revoked'}")
            if not self.reconnect:
                raise NotConnectedError(f"the node closed the connection ({code} {ws.close_reason})")
            log.warning("the connection to the node closed (%s %s); reconnecting", code, ws.close_reason)
            await asyncio.sleep(backoff)
        for agent in self.agents.values():
            await agent._safely("on_stop")

    def _where(self) -> str:
        return self.url if self.url is not None else f"data dir {self.data_dir or '~/.oa-node'}"

    async def stop(self) -> None:
        """Disconnects (the node takes the agents offline) and ends `run()`."""
        self._stopping = True
        if self._ws is not None:
            await self._ws.close()

    async def _session(self, ws: ClientConnection, reconnecting: bool) -> None:
        self._ws = ws
        welcome = json.loads(await ws.recv())
        if welcome.get("type") != "welcome" or welcome.get("protocol") != PROTOCOL:
            raise OaNodeError(f"the node does not speak {PROTOCOL}: its first frame was {welcome!r}")
        self.welcome = welcome
        reader = asyncio.create_task(self._read(ws))
        try:
            for agent in self.agents.values():
                try:
                    result = await self.call({"type": "register", "agent": agent.card()})
                except ActionError as err:
                    # the node may not have seen the old connection close yet: its agent still holds the name
                    if reconnecting and err.code == "name_taken":
                        raise _StillRegistered(f"{agent.name} is still registered from the previous connection") from None
                    raise RegistrationError(err.code, f"agent {agent.name}: {err.message}") from None
                agent._bind(self, result["agent"])
            self.connected.set()
            if not self._started:
                self._started = True
                for agent in self.agents.values():
                    self._spawn(agent._safely("on_start"))
            await reader
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _drop(self, ws: ClientConnection) -> None:
        self.connected.clear()
        self._ws = None
        await ws.close()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(NotConnectedError("the connection to the node was lost before it answered"))
        self._pending.clear()
        for task in self._requests.values():
            task.cancel()
        self._requests.clear()

    async def call(self, frame: dict[str, Any], timeout: float | None = 120.0) -> Any:
        """Sends a frame with a fresh id; returns the node's `result`, or raises ActionError with its error."""
        ws = self._ws
        if ws is None:
            raise NotConnectedError("the agent is not connected to its node")
        frame_id = str(next(self._ids))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[frame_id] = future
        try:
            await ws.send(json.dumps({**frame, "id": frame_id}))
            return await asyncio.wait_for(future, timeout)
        except ConnectionClosed:
            raise NotConnectedError("the connection to the node was lost") from None
        finally:
            self._pending.pop(frame_id, None)

    async def action(self, agent: str, action: str, params: dict[str, Any], timeout: float | None = 120.0) -> Any:
        """Performs an action as one of the connection's agents."""
        return await self.call({"type": "action", "agent": agent, "action": action, "params": params}, timeout)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in ws:
                try:
                    frame = json.loads(message)
                except ValueError:
                    log.warning("the node sent a frame that is not JSON: %.200r", message)
                    continue
                self._dispatch(ws, frame)

    def _dispatch(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind in ("result", "error"):
            future = self._pending.get(str(frame.get("id")))
            if kind == "error" and future is None:
                error = frame.get("error", {})
                log.warning("the node refused a frame: %s: %s", error.get("code"), error.get("message"))
            elif future is not None and not future.done():
                if kind == "result":
                    future.set_result(frame.get("result"))
                else:
                    error = frame.get("error", {})
                    future.set_exception(ActionError(str(error.get("code")), str(error.get("message"))))
            return
        agent = self.agents.get(str(frame.get("agent")))
        if agent is None:
            return
        if kind == "event":
            self._spawn(agent._event(str(frame.get("event")), frame.get("data")))
        elif kind == "request":
            request = DirectRequest.from_json(frame["request"])
            task = asyncio.ensure_future(self._answer(ws, agent, request))
            self._requests[request.id] = task
            task.add_done_callback(lambda _t: self._requests.pop(request.id, None))
        elif kind == "cancel":
            pending = self._requests.get(str(frame.get("request")))
            if pending is not None:
                pending.cancel()

    async def _answer(self, ws: ClientConnection, agent: WorkerAgent, request: DirectRequest) -> None:
        try:
            payload = await agent.on_direct(request)
            answer: dict[str, Any] = {"type": "answer", "request": request.id, "payload": payload}
            text = json.dumps(answer)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # the handler refuses the request: the caller gets the message
            log.warning("%s: on_direct failed: %s", agent.name, err)
            message = (str(err) or type(err).__name__)[:2000]
            text = json.dumps({"type": "answer", "request": request.id, "error": {"message": message}})
        with contextlib.suppress(ConnectionClosed):
            await ws.send(text)
