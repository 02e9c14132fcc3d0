"""The errors of the SDK: each names what went wrong and, where it can, what to do."""

from __future__ import annotations


class OaNodeError(Exception):
    """Base of every error the SDK raises."""


class NodeNotRunningError(OaNodeError):
    """No running node was found (no api.json in the data dir, or nothing listens at its address)."""


class ConnectionRefusedByNodeError(OaNodeError):
    """The node refused the WebSocket upgrade: a wrong token (401), a protocol it does not speak (400), ..."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"the node refused the connection ({status} {code}): {message}")
        self.status = status
        self.code = code


class ActionError(OaNodeError):
    """The node answered a frame with an error frame (`code` names the problem: not_member, bad_frame, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class RegistrationError(ActionError):
    """The node refused to register an agent (a name taken, a community it has not joined, a token for another name)."""


class NotConnectedError(OaNodeError):
    """An action was called while the agent is not connected to its node."""


class TokenRevokedError(OaNodeError):
    """The node closed the connection because the agent's token was revoked."""
