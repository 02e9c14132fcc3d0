"""`oa-node demo --python`: the demo with its experts in Python, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import REPO, node_command


def embedded_store_env() -> dict[str, str]:
    """The environment without MILVUS_ADDRESS: the demo keeps its memory in fresh data dirs, not on a shared Milvus
    that may already hold an answer to the same question from an earlier run."""
    return {k: v for k, v in os.environ.items() if k != "MILVUS_ADDRESS"}


def test_the_demo_runs_with_its_experts_in_python() -> None:
    question = "My asyncio task hangs when I deploy it to Kubernetes"
    done = subprocess.run([*node_command(), "demo", "--python", sys.executable, "--json", "--ask", question],
                          cwd=REPO, env=embedded_store_env(), capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    assert "starting the experts in Python" in done.stderr
    line = json.loads(done.stdout.strip().splitlines()[-1])
    meta = line["reply"]["payload"]["metadata"]
    assert "reused" not in meta, meta
    assert sorted(a["expert"] for a in meta["answered"]) == ["devops_expert", "python_expert"], (meta, done.stderr[-2000:])
    assert all(a["mode"] == "retrieval" and a["sources"] for a in meta["answered"])
    assert meta["missing"] == []


def test_demo_python_names_what_is_missing_when_the_interpreter_has_no_sdk() -> None:
    done = subprocess.run([*node_command(), "demo", "--python", "/bin/false", "--ask", "q"],
                          cwd=REPO, env=embedded_store_env(), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "cannot import oa_node; install the Python SDK into it" in done.stderr
