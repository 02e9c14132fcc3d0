"""Finds a running node through its data dir, as the oa-node CLI does."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import NodeNotRunningError

API_INFO_FILE = "api.json"
API_TOKEN_FILE = "api.token"


@dataclass(frozen=True)
class NodeAddress:
    """Where a node's control API is, and the token to use."""

    url: str
    token: str


def default_data_dir() -> Path:
    """`OA_DATA_DIR`, else `~/.oa-node` (the node's defaults)."""
    env = os.environ.get("OA_DATA_DIR")
    return Path(env) if env else Path.home() / ".oa-node"


def find_node(data_dir: str | os.PathLike[str] | None = None, token: str | None = None) -> NodeAddress:
    """Reads `<data dir>/api.json` (the API's url) and, unless `token` is given, `<data dir>/api.token`.

    Example:
        >>> find_node("./n1")  # doctest: +SKIP
        NodeAddress(url='http://127.0.0.1:7780', token='...')
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    start = f"start one with: npx oa-node start --data-dir {folder}"
    try:
        info = json.loads((folder / API_INFO_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NodeNotRunningError(f"no running oa-node found for data dir {folder} (no {API_INFO_FILE}); {start}") from None
    except json.JSONDecodeError as err:
        raise NodeNotRunningError(f"{folder / API_INFO_FILE} is not JSON ({err}); is a node starting? {start}") from None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str):
        raise NodeNotRunningError(f"{folder / API_INFO_FILE} has no url; {start}")
    pid = info.get("pid")
    if isinstance(pid, int) and not _alive(pid):
        raise NodeNotRunningError(f"the oa-node for data dir {folder} is not running (pid {pid} has exited); {start}")
    if token is None:
        try:
            token = (folder / API_TOKEN_FILE).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise NodeNotRunningError(f"cannot read {folder / API_TOKEN_FILE}: {err.strerror}") from None
    return NodeAddress(url=url, token=token)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
