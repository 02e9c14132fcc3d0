"""examples/python/experts.py: the demo's experts in Python, routed to by the demo's coordinator."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from oa_node import NodeApi, serve

from .conftest import COMMUNITY, REPO, NodeProcess, eventually


def load_experts() -> ModuleType:
    path = REPO / "examples" / "python" / "experts.py"
    spec = importlib.util.spec_from_file_location("experts_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def test_the_python_experts_answer_from_their_knowledge_and_the_coordinator_routes_to_them(tmp_path: Path) -> None:
    experts = load_experts()
    base = ["--listen", "/ip4/127.0.0.1/tcp/0", "--api-port", "0"]
    coordinator = NodeProcess(tmp_path / "n1", ["--config", str(REPO / "config" / "demo" / "node1.yaml"), *base]).start()
    node = NodeProcess(tmp_path / "n2", ["--community", COMMUNITY, *base, "--bootstrap", coordinator.tcp]).start()
    agents = [experts.PythonExpert(seed=True), experts.DevopsExpert(seed=True)]
    task = asyncio.create_task(serve(*agents, data_dir=node.data_dir))
    try:
        with NodeApi(data_dir=coordinator.data_dir, timeout=90) as api:
            async def found() -> bool:
                cards = await asyncio.to_thread(api.agents, COMMUNITY)
                return all(any(c["name"] == a.name and c["online"] and c["kind"] == "expert" for c in cards) for a in agents)

            await eventually("both Python experts found from the coordinator's node", found, timeout=60)
            await eventually("the knowledge imported", lambda: _is(all(_seeded(a) for a in agents)), timeout=60)
            asked = await asyncio.to_thread(api.ask, COMMUNITY, "python_expert", "Does asyncio.gather keep the order of results?")
            answer: dict[str, Any] = asked["reply"]["payload"]
            assert answer["mode"] == "retrieval"
            assert answer["text"].startswith("[retrieval-only: no language model configured] What devsupport knows")
            assert "py-001" in [s["id"] for s in answer["sources"]]

            posted = await asyncio.to_thread(api.request, "POST", f"/v1/communities/{COMMUNITY}/channels/general/messages",
                                             {"text": "How do I roll out a deployment on Kubernetes without downtime?"})
            question = posted["message"]["id"]

            async def routed() -> Any:
                path = f"/v1/communities/{COMMUNITY}/channels/general/messages?limit=200"
                messages = (await asyncio.to_thread(api.request, "GET", path))["messages"]
                replies = [m for m in messages if m.get("replyTo") == question]
                return next((m for m in replies if m["source"].startswith("coordinator@")), None)

            reply = await eventually("the coordinator's reply", routed, timeout=60)
            answered = [a["expert"] for a in reply["payload"]["metadata"]["answered"]]
            assert answered == ["devops_expert"]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        node.stop()
        coordinator.stop()


def _seeded(agent: Any) -> bool:
    return bool(agent._card) and agent.seeded


async def _is(value: bool) -> bool:
    return value
