"""Agents in Python for oa-node.

An agent runs in its own process and joins the network through its node's remote-agent
gateway (`WS /v1/agents/connect`, protocol `oa-agent.v1`): the node publishes its card,
shows it online, passes it events and direct requests, and carries out its actions.

Example:
    >>> from oa_node import WorkerAgent
    >>> class Echo(WorkerAgent):
    ...     name = "echo"
    ...     capabilities = ["echo"]
    ...     async def on_direct(self, req):
    ...         return {"text": req.text}
    >>> Echo().run(data_dir="./n1")  # doctest: +SKIP
"""

from .agent import Social, Wiki, WorkerAgent
from .api import NodeApi
from .connection import CONNECT_PATH, PROTOCOL, Connection
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
from .messages import ChannelMessage, DirectRequest
from .runner import run, serve

__all__ = [
    "CONNECT_PATH",
    "PROTOCOL",
    "ActionError",
    "ChannelMessage",
    "Connection",
    "ConnectionRefusedByNodeError",
    "DirectRequest",
    "NodeAddress",
    "NodeApi",
    "NodeNotRunningError",
    "NotConnectedError",
    "OaNodeError",
    "RegistrationError",
    "Social",
    "TokenRevokedError",
    "Wiki",
    "WorkerAgent",
    "find_node",
    "run",
    "serve",
]
