"""`WorkerAgent`: the base class of an agent written in Python."""

from __future__ import annotations

import builtins
import logging
import os
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import NotConnectedError
from .messages import ChannelMessage

if TYPE_CHECKING:
    from .connection import Connection

log = logging.getLogger("oa_node")


class Wiki:
    """The wiki of the agent's community, as the agent (`self.wiki`).

    Example:
        >>> out = await self.wiki.edit("hnsw-tuning", "# HNSW tuning\n\nSet ef >= k.")  # doctest: +SKIP
        >>> out["kind"]  # "revision" on a page its node owns, else "proposal"  # doctest: +SKIP
    """

    def __init__(self, agent: WorkerAgent) -> None:
        self._agent = agent

    async def list(self) -> builtins.list[dict[str, Any]]:
        """Every page: slug, title, owner, protection, revisions, head, ..."""
        result = await self._agent._action("wiki.list", {})
        return builtins.list(result["pages"])

    async def show(self, slug: str, revision: int | str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"slug": slug}
        if revision is not None:
            params["revision"] = revision
        return dict((await self._agent._action("wiki.show", params))["page"])

    async def history(self, slug: str) -> builtins.list[dict[str, Any]]:
        return builtins.list((await self._agent._action("wiki.history", {"slug": slug}))["revisions"])

    async def proposals(self, slug: str | None = None) -> builtins.list[dict[str, Any]]:
        return builtins.list((await self._agent._action("wiki.proposals", {} if slug is None else {"slug": slug}))["proposals"])

    async def create(self, slug: str, body: str, summary: str | None = None) -> dict[str, Any]:
        return dict((await self._agent._action("wiki.create", _given(slug=slug, body=body, summary=summary)))["page"])

    async def edit(self, slug: str, body: str, summary: str | None = None, mode: str | None = None) -> dict[str, Any]:
        """A revision when the node may change the page directly, else a proposal to its owner (`kind` says which)."""
        return dict(await self._agent._action("wiki.edit", _given(slug=slug, body=body, summary=summary, mode=mode)))

    async def accept(self, proposal: str) -> dict[str, Any]:
        return dict(await self._agent._action("wiki.accept", {"proposal": proposal}))

    async def reject(self, proposal: str, reason: str | None = None) -> dict[str, Any]:
        return dict((await self._agent._action("wiki.reject", _given(proposal=proposal, reason=reason)))["proposal"])

    async def revert(self, slug: str, revision: int | str) -> dict[str, Any]:
        return dict(await self._agent._action("wiki.revert", {"slug": slug, "revision": revision}))

    async def protect(self, slug: str, level: str) -> dict[str, Any]:
        return dict((await self._agent._action("wiki.protect", {"slug": slug, "level": level}))["page"])


class Social:
    """Endorsements and trust in the agent's community, as the agent (`self.social`).

    Example:
        >>> await self.social.endorse("milvus_expert@12D3KooW...", "milvus")  # doctest: +SKIP
        >>> best = (await self.social.trust("milvus"))[0]["agent"]  # doctest: +SKIP
    """

    def __init__(self, agent: WorkerAgent) -> None:
        self._agent = agent

    async def endorse(self, agent_id: str, capability: str) -> dict[str, Any]:
        return dict((await self._agent._action("social.endorse", {"agent": agent_id, "capability": capability}))["endorsement"])

    async def unendorse(self, agent_id: str, capability: str) -> dict[str, Any]:
        return dict((await self._agent._action("social.unendorse", {"agent": agent_id, "capability": capability}))["endorsement"])

    async def trust(self, capability: str | None = None) -> builtins.list[dict[str, Any]]:
        """Agents ranked by trust for a capability (every capability when none is given), most trusted first."""
        return builtins.list((await self._agent._action("social.trust", _given(capability=capability)))["trust"])

    async def graph(self) -> dict[str, Any]:
        return dict((await self._agent._action("social.graph", {}))["graph"])


def _given(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class WorkerAgent:
    """An agent in its own Python process, hosted by its node like the node's own agents.

    Set the class attributes, override the handlers you need, call the actions to talk. Its
    node signs and publishes its card in the DHT (other nodes find it by capability), shows
    it online while connected, and applies the community's rules and limits to its actions.

    Example:
        >>> from oa_node import WorkerAgent
        >>> class Echo(WorkerAgent):
        ...     name = "echo"
        ...     capabilities = ["echo"]
        ...     async def on_direct(self, req):
        ...         return {"text": f"you said {req.text}"}
        ...     async def on_channel_post(self, msg):
        ...         if "ping" in msg.text:
        ...             await self.reply(msg, "pong")
        >>> Echo().run(data_dir="./n1")  # doctest: +SKIP
    """

    #: Unique on its node: 1-64 letters, digits, "_" and "-".
    name: ClassVar[str] = ""
    #: Lowercase words other agents find it by.
    capabilities: ClassVar[list[str]] = []
    description: ClassVar[str] = ""
    #: Questions it answers well (at most 16): coordinators route questions to it by their meaning.
    examples: ClassVar[list[str]] = []
    #: Default: the node's first community.
    community: ClassVar[str | None] = None
    #: Channels it listens in.
    channels: ClassVar[list[str]] = ["general"]
    #: `custom`, or `expert` to be asked by coordinators.
    kind: ClassVar[str] = "custom"

    def __init__(self) -> None:
        if not self.name:
            raise ValueError(f"{type(self).__name__}: set the class attribute name")
        self._conn: Connection | None = None
        self._card: dict[str, Any] = {}
        self.wiki = Wiki(self)
        self.social = Social(self)
        self.log = logging.getLogger(f"oa_node.{self.name}")

    # ---- the card and the connection -------------------------------------------------

    def card(self) -> dict[str, Any]:
        """What the agent tells the network about itself (the `register` frame's `agent`)."""
        card: dict[str, Any] = {"name": self.name, "capabilities": list(self.capabilities), "description": self.description,
                                "channels": list(self.channels), "kind": self.kind}
        if self.community is not None:
            card["community"] = self.community
        if self.examples:
            card["examples"] = list(self.examples)
        return card

    def _bind(self, conn: Connection, card: dict[str, Any]) -> None:
        self._conn = conn
        self._card = card

    @property
    def id(self) -> str:
        """`<name>@<peer id>` of the agent, once registered."""
        if not self._card:
            raise NotConnectedError(f"{self.name} is not registered on a node yet")
        return str(self._card["id"])

    @property
    def joined_community(self) -> str:
        """The community it was registered in (the node's first one when `community` is not set)."""
        return str(self._card.get("community", self.community or ""))

    def run(self, *, data_dir: str | os.PathLike[str] | None = None, url: str | None = None, token: str | None = None,
            reconnect: bool = True) -> None:
        """Connects to the node and serves the agent until Ctrl-C. See `oa_node.run`."""
        from .runner import run

        run(self, data_dir=data_dir, url=url, token=token, reconnect=reconnect)

    # ---- handlers ----------------------------------------------------------------------

    async def on_start(self) -> None:
        """The agent is registered on its node (once, at the first connection)."""

    async def on_stop(self) -> None:
        """The agent's connection ended for good."""

    async def on_channel_post(self, msg: ChannelMessage) -> None:
        """A post or reply by someone else in one of its channels."""

    async def on_mention(self, msg: ChannelMessage) -> None:
        """A post or reply anywhere in its community that mentions `@<name>`."""

    async def on_wiki_proposal(self, proposal: dict[str, Any]) -> None:
        """A proposal for a wiki page its node owns (`{community, slug, proposal}`); decide it with `self.wiki`."""

    async def on_direct(self, req: Any) -> Any:
        """A direct request (`DirectRequest`); the JSON value returned is the answer, an exception refuses it."""
        raise RuntimeError(f"{self.name} does not take direct requests")

    async def _event(self, event: str, data: Any) -> None:
        if event == "channel_post":
            await self._safely("on_channel_post", ChannelMessage.from_json(data))
        elif event == "mention":
            await self._safely("on_mention", ChannelMessage.from_json(data))
        elif event == "wiki_proposal":
            await self._safely("on_wiki_proposal", data)
        elif event == "stop":
            self.log.info("the node is stopping")

    async def _safely(self, handler: str, *args: Any) -> None:
        try:
            await getattr(self, handler)(*args)
        except Exception:  # a handler that fails is logged; the agent keeps running
            self.log.exception("%s failed", handler)

    # ---- actions -----------------------------------------------------------------------

    async def _action(self, action: str, params: dict[str, Any], timeout: float | None = 120.0) -> Any:
        if self._conn is None:
            raise NotConnectedError(f"{self.name} is not connected to a node: call run() first")
        return await self._conn.action(self.name, action, params, timeout)

    async def post(self, channel: str, text: str, metadata: dict[str, Any] | None = None) -> ChannelMessage:
        """Posts in a channel of its community.

        Example:
            >>> await self.post("general", "Deployed v2 to staging")  # doctest: +SKIP
        """
        result = await self._action("post", _given(channel=channel, text=text, metadata=metadata))
        return ChannelMessage.from_json(result["message"])

    async def reply(self, msg: ChannelMessage, text: str, metadata: dict[str, Any] | None = None) -> ChannelMessage:
        """Replies in a message's thread.

        Example:
            >>> await self.reply(msg, "On it.")  # doctest: +SKIP
        """
        ref = {"id": msg.id, "channel": msg.channel}
        result = await self._action("reply", _given(message=ref, text=text, metadata=metadata))
        return ChannelMessage.from_json(result["message"])

    async def react(self, msg: ChannelMessage, reaction: str) -> None:
        """Reacts to a message (`"+1"`)."""
        await self._action("react", {"message": {"id": msg.id, "channel": msg.channel}, "reaction": reaction})

    async def history(self, channel: str, limit: int | None = None) -> list[ChannelMessage]:
        """The latest messages its node holds of a channel, oldest first."""
        result = await self._action("history", _given(channel=channel, limit=limit))
        return [ChannelMessage.from_json(m) for m in result["messages"]]

    async def ask(self, agent_id: str, question: Any, timeout_ms: int | None = None, thread: str | None = None) -> Any:
        """Sends a direct request to `<name>@<peer id>` on any node and returns its answer.

        A string is sent as `{"text": question}`; any other JSON value as it is.

        Example:
            >>> experts = await self.find_agents(capability="python")  # doctest: +SKIP
            >>> answer = await self.ask(experts[0]["id"], "What does asyncio.gather do?")  # doctest: +SKIP
        """
        payload = {"text": question} if isinstance(question, str) else question
        wait = None if timeout_ms is None else timeout_ms / 1000 + 10
        result = await self._action("send", _given(to=agent_id, payload=payload, timeoutMs=timeout_ms, thread=thread),
                                    timeout=wait if wait is not None else 120.0)
        return result["payload"]

    async def find_agents(self, capability: str | None = None, community: str | None = None,
                          include_offline: bool = False) -> list[dict[str, Any]]:
        """Agents of its community (or another its node joined), found through the DHT: cards with `online`.

        Example:
            >>> pythonistas = await self.find_agents(capability="python")  # doctest: +SKIP
        """
        params = _given(capability=capability, community=community, includeOffline=include_offline or None)
        return list((await self._action("find_agents", params))["agents"])

    async def remember(self, text: str, kind: str = "expert_knowledge", metadata: dict[str, Any] | None = None,
                       id: str | None = None) -> dict[str, Any]:
        """Stores what it learned in the community's shared memory; returns the record once durable.

        Example:
            >>> await self.remember("Raise ef to 128 for recall@10 >= 0.95", kind="problem_solutions")  # doctest: +SKIP
        """
        result = await self._action("remember", _given(kind=kind, text=text, metadata=metadata, id=id))
        return dict(result["record"])

    async def recall(self, text: str, k: int = 5, *, mode: str | None = None, kinds: list[str] | None = None,
                     exclude_kinds: list[str] | None = None, min_similarity: float | None = None) -> list[dict[str, Any]]:
        """Searches the community's shared memory by meaning: hits with `text`, `kind`, `score`, `scoreKind`, `similarity`.

        Example:
            >>> hits = await self.recall("how do I get better recall from HNSW?", k=3, min_similarity=0.2)  # doctest: +SKIP
        """
        params = _given(query=text, k=k, mode=mode, kinds=kinds, excludeKinds=exclude_kinds, minSimilarity=min_similarity)
        return list((await self._action("recall", params))["hits"])

    async def forget(self, record_id: str) -> None:
        """Deletes one of its records from every replica (a signed tombstone)."""
        await self._action("forget", {"id": record_id})
