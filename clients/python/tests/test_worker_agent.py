"""The Python SDK against real oa-node processes: registration, discovery, events, actions, tokens, reconnection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from oa_node import (
    ChannelMessage,
    ConnectionRefusedByNodeError,
    DirectRequest,
    NodeApi,
    NodeNotRunningError,
    RegistrationError,
    WorkerAgent,
    serve,
)

from .conftest import COMMUNITY, Network, eventually


class Echo(WorkerAgent):
    name = "py_echo"
    capabilities = ["py_echo_cap"]
    description = "Echoes what it is asked"
    kind = "expert"

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[ChannelMessage] = []
        self.mentions: list[ChannelMessage] = []
        self.started = asyncio.Event()

    async def on_start(self) -> None:
        self.started.set()

    async def on_direct(self, req: DirectRequest) -> Any:
        if req.text == "fail":
            raise ValueError("I refuse to fail")
        return {"text": f"echo: {req.text}", "from": req.sender}

    async def on_channel_post(self, msg: ChannelMessage) -> None:
        self.posts.append(msg)
        if "ping" in msg.text:
            await self.reply(msg, "pong")

    async def on_mention(self, msg: ChannelMessage) -> None:
        self.mentions.append(msg)


@contextlib.asynccontextmanager
async def serving(*agents: WorkerAgent, **where: Any) -> AsyncIterator[asyncio.Task[None]]:
    """Serves the agents in a task while the block runs; the task is cancelled after it."""
    task = asyncio.create_task(serve(*agents, **where))
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def found_online(api: NodeApi, capability: str, agent_id: str) -> bool:
    agents = await asyncio.to_thread(api.agents, COMMUNITY, capability)
    return any(a["id"] == agent_id and a["online"] for a in agents)


async def test_an_agent_found_by_capability_from_another_node_answers_its_direct_request(network: Network) -> None:
    echo = Echo()
    with NodeApi(data_dir=network.b.data_dir) as b:
        async with serving(echo, data_dir=network.a.data_dir):
            await asyncio.wait_for(echo.started.wait(), 30)
            assert echo.id == f"py_echo@{network.a.peer_id}"
            await eventually("py_echo found from b", lambda: found_online(b, "py_echo_cap", echo.id))
            status = network.a.cli("status")
            assert "remote agents  py_echo (1 connection;" in status.stdout, status.stdout
            answer = await asyncio.to_thread(b.ask, COMMUNITY, echo.id, "hello there")
            assert answer["reply"]["payload"] == {"text": "echo: hello there", "from": f"user@{network.b.peer_id}"}
            # an exception in on_direct refuses the request, with its message
            with pytest.raises(Exception, match="I refuse to fail"):
                await asyncio.to_thread(b.ask, COMMUNITY, echo.id, "fail")
        await eventually("py_echo offline once disconnected", lambda: _not(found_online(b, "py_echo_cap", echo.id)))


async def _not(check: Any) -> bool:
    return not await check


async def test_it_receives_channel_posts_and_mentions_and_replies_in_the_thread(network: Network) -> None:
    echo = Echo()
    with NodeApi(data_dir=network.b.data_dir) as b:
        async with serving(echo, data_dir=network.a.data_dir):
            await asyncio.wait_for(echo.started.wait(), 30)
            posted = await asyncio.to_thread(b.request, "POST", f"/v1/communities/{COMMUNITY}/channels/general/messages",
                                             {"text": "ping @py_echo"})
            post_id = posted["message"]["id"]
            await eventually("the post reached py_echo", _first(lambda: [m for m in echo.posts if m.id == post_id]))
            await eventually("the mention reached py_echo", _first(lambda: [m for m in echo.mentions if m.id == post_id]))
            assert echo.posts[0].source == f"user@{network.b.peer_id}"

            async def reply_on_b() -> Any:
                path = f"/v1/communities/{COMMUNITY}/channels/general/messages?limit=100"
                history = await asyncio.to_thread(b.request, "GET", path)
                return next((m for m in history["messages"] if m.get("replyTo") == post_id), None)

            reply = await eventually("py_echo's reply on b", reply_on_b)
            assert reply["source"] == echo.id
            assert reply["payload"]["text"] == "pong"


def _first(items: Any) -> Any:
    async def check() -> Any:
        found = items()
        return found[0] if found else None
    return check


class Librarian(WorkerAgent):
    name = "py_librarian"
    capabilities = ["py_library"]


async def test_actions_memory_discovery_and_asking_another_agent(network: Network) -> None:
    echo, librarian = Echo(), Librarian()
    async with serving(echo, data_dir=network.b.data_dir), serving(librarian, data_dir=network.a.data_dir):
        await asyncio.wait_for(echo.started.wait(), 30)
        await eventually("librarian registered", lambda: _registered(librarian))
        record = await librarian.remember("HNSW ef must be at least k for good recall", kind="expert_knowledge", id="py-lib-1")
        assert record["agent"] == librarian.id
        hits = await librarian.recall("HNSW recall ef", k=3)
        assert "py-lib-1" in [h["id"] for h in hits]
        await librarian.forget("py-lib-1")
        assert "py-lib-1" not in [h["id"] for h in await librarian.recall("HNSW recall ef", k=3)]

        async def echo_found() -> Any:
            return next((a for a in await librarian.find_agents(capability="py_echo_cap") if a["online"]), None)

        card = await eventually("echo found by the librarian", echo_found)
        assert card["id"] == echo.id
        assert await librarian.ask(card["id"], "from one Python agent to another") == {
            "text": "echo: from one Python agent to another", "from": librarian.id}
        posted = await librarian.post("general", "a note from the librarian")
        assert posted.source == librarian.id
        endorsement = await librarian.social.endorse(echo.id, "py_echo_cap")
        assert endorsement["endorser"] == librarian.id
        page = await librarian.wiki.create("py-notes", "# Notes from Python")
        assert page["slug"] == "py-notes"
        assert "py-notes" in [p["slug"] for p in await librarian.wiki.list()]


async def _registered(agent: WorkerAgent) -> bool:
    try:
        return bool(agent.id)
    except Exception:
        return False


class Scoped(WorkerAgent):
    name = "py_scoped"


class Impostor(WorkerAgent):
    name = "py_impostor"


async def test_a_per_agent_token_registers_its_own_name_only(network: Network) -> None:
    issued = network.a.cli("agents", "token", "py_scoped", "--community", COMMUNITY)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("oaa_")
    scoped = Scoped()
    async with serving(scoped, url=network.a.api, token=token):
        await eventually("py_scoped registered", lambda: _registered(scoped))
    with pytest.raises(RegistrationError, match='token is for agent "py_scoped" only'):
        await serve(Impostor(), url=network.a.api, token=token, reconnect=False)
    revoked = network.a.cli("agents", "token", "py_scoped", "--revoke")
    assert revoked.returncode == 0, revoked.stderr
    with pytest.raises(ConnectionRefusedByNodeError) as refused:
        await serve(Scoped(), url=network.a.api, token=token, reconnect=False)
    assert refused.value.status == 401


async def test_clear_errors_without_a_node_or_with_a_wrong_token(network: Network, tmp_path: Any) -> None:
    with pytest.raises(NodeNotRunningError, match=r"no api\.json"):
        await serve(Echo(), data_dir=tmp_path)
    with pytest.raises(ConnectionRefusedByNodeError, match="401 unauthorized"):
        await serve(Echo(), url=network.a.api, token="wrong", reconnect=False)


async def test_it_reconnects_when_its_node_restarts(network: Network) -> None:
    echo = Echo()
    async with serving(echo, data_dir=network.a.data_dir) as task:
        await asyncio.wait_for(echo.started.wait(), 30)
        first = echo._conn
        assert first is not None
        network.a.stop()
        await eventually("the connection lost", lambda: _is(not first.connected.is_set()))
        # a comes back on other ports (its API's too, which the agent reads again from api.json), joining through b
        args = network.a.args
        network.a.args = [*args, "--bootstrap", network.b.tcp]
        network.a.start()
        network.a.args = args
        await eventually("reconnected", lambda: _is(first.connected.is_set()), timeout=60)
        assert not task.done()
        with NodeApi(data_dir=network.b.data_dir) as b:
            await eventually("py_echo found again from b", lambda: found_online(b, "py_echo_cap", echo.id), timeout=60)
            answer = await asyncio.to_thread(b.ask, COMMUNITY, echo.id, "back?")
            assert answer["reply"]["payload"]["text"] == "echo: back?"


async def _is(value: bool) -> bool:
    return value
