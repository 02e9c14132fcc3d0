"""A small client of the node's HTTP control API (status, agents, direct requests, tokens)."""

from __future__ import annotations

import os
from typing import Any

import httpx

from .datadir import NodeAddress, find_node
from .errors import ActionError, NodeNotRunningError


class NodeApi:
    """The node's control API over HTTP, found through its data dir or given by url and token.

    Example:
        >>> api = NodeApi(data_dir="./n1")  # doctest: +SKIP
        >>> api.ask("devsupport", "python_expert", "Does asyncio.gather keep order?")["reply"]["payload"]  # doctest: +SKIP
    """

    def __init__(self, *, data_dir: str | os.PathLike[str] | None = None, url: str | None = None,
                 token: str | None = None, timeout: float = 60.0) -> None:
        address = NodeAddress(url, token) if url is not None and token is not None else find_node(data_dir, token)
        self.address = address
        self._client = httpx.Client(base_url=address.url, headers={"Authorization": f"Bearer {address.token}"},
                                    timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> NodeApi:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Any route; an error answer raises ActionError with its code and message."""
        try:
            response = self._client.request(method, path, json=body)
        except httpx.TransportError as err:
            raise NodeNotRunningError(f"cannot reach the oa-node API at {self.address.url}: {err}") from None
        data = response.json() if response.content else None
        if response.is_error:
            error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
            raise ActionError(str(error.get("code", response.status_code)), str(error.get("message", response.text)))
        return data

    def status(self) -> dict[str, Any]:
        return dict(self.request("GET", "/v1/status"))

    def agents(self, community: str | None = None, capability: str | None = None) -> list[dict[str, Any]]:
        """Agents found through the DHT (cards with `online`)."""
        query = httpx.QueryParams({k: v for k, v in {"community": community, "capability": capability}.items() if v})
        return list(self.request("GET", f"/v1/agents?{query}")["agents"])

    def ask(self, community: str, agent: str, text: str, timeout_ms: int = 30_000) -> dict[str, Any]:
        """A direct request to an agent (`name` or `name@peer id`): `{agent, reply}`."""
        body = {"community": community, "text": text, "timeoutMs": timeout_ms}
        return dict(self.request("POST", f"/v1/agents/{agent}/requests", body))

    def issue_agent_token(self, agent: str, community: str | None = None) -> str:
        """A per-agent token: it lets a process register that one agent (as `oa-node agents token`)."""
        body = {"agent": agent} if community is None else {"agent": agent, "community": community}
        return str(self.request("POST", "/v1/agent-tokens", body)["token"])

    def revoke_agent_token(self, agent: str) -> dict[str, Any]:
        return dict(self.request("DELETE", f"/v1/agent-tokens/{agent}"))
