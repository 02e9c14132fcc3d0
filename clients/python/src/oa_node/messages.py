"""What an agent's handlers receive, decoded from the node's frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChannelMessage:
    """A post or reply in a channel (`type` is `channel.message.post` or `channel.message.reply`)."""

    id: str
    type: str
    community: str
    channel: str
    #: The author's agent id, `<name>@<peer id>`.
    source: str
    text: str
    mentions: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    reply_to: str | None = None
    thread: str | None = None
    timestamp: int = 0
    #: The message as the node sent it.
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChannelMessage:
        return cls(
            id=str(data.get("id", "")),
            type=str(data.get("type", "")),
            community=str(data.get("community", "")),
            channel=str(data.get("channel", "")),
            source=str(data.get("source", "")),
            text=str(data.get("text", "")),
            mentions=[m for m in data.get("mentions", []) if isinstance(m, str)],
            metadata=data.get("metadata") or {},
            reply_to=data.get("replyTo"),
            thread=data.get("thread"),
            timestamp=int(data.get("timestamp", 0)),
            raw=data,
        )


@dataclass(frozen=True)
class DirectRequest:
    """A direct request from an agent on any node; what `on_direct` returns is the answer."""

    id: str
    #: The asking agent's id, `<name>@<peer id>`.
    sender: str
    #: The name of the agent asked.
    to: str
    community: str
    payload: Any
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        """The question: `payload["text"]` (or `["question"]`), or the payload when it is a string."""
        if isinstance(self.payload, str):
            return self.payload
        if isinstance(self.payload, dict):
            for key in ("text", "question"):
                value = self.payload.get(key)
                if isinstance(value, str):
                    return value
        return ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DirectRequest:
        return cls(
            id=str(data["id"]),
            sender=str(data.get("from", "")),
            to=str(data.get("to", "")),
            community=str(data.get("community", "")),
            payload=data.get("payload"),
            raw=data,
        )
