"""docs/gateways.md's Python agent, run as a user copies it: found through the DHT, answering a direct request."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from .conftest import COMMUNITY, REPO, NodeProcess, node_command


def doc_agent() -> str:
    """The doc's first ```python block that defines a WorkerAgent."""
    text = (REPO / "docs" / "gateways.md").read_text(encoding="utf-8")
    blocks: list[str] = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    return next(b for b in blocks if "WorkerAgent" in b and ".run(" in b)


def test_the_doc_python_agent_answers_a_direct_request_from_another_node(tmp_path: Path) -> None:
    code = doc_agent()
    assert 'PythonHelper().run(data_dir="./n1")' in code
    base = ["--listen", "/ip4/127.0.0.1/tcp/0", "--api-port", "0", "--community", COMMUNITY]
    # the doc's ./n1 is relative to where the user runs it
    n1 = NodeProcess(tmp_path / "n1", base).start()
    n2 = NodeProcess(tmp_path / "n2", [*base, "--bootstrap", n1.tcp]).start()
    (tmp_path / "helper.py").write_text(code, encoding="utf-8")
    agent = subprocess.Popen([sys.executable, "helper.py"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        added = n1.cli("memory", "add", COMMUNITY, "asyncio.gather returns results in the order the awaitables were passed")
        assert added.returncode == 0, added.stderr
        deadline = time.monotonic() + 60
        while True:
            question = "Does asyncio.gather keep the order of results?"
            asked = subprocess.run([*node_command(), "ask", f"{COMMUNITY}/py_helper", question, "--data-dir", str(n2.data_dir)],
                                   cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
            if asked.returncode == 0 or time.monotonic() > deadline or agent.poll() is not None:
                break
            time.sleep(1)
        assert agent.poll() is None, agent.stdout.read() if agent.stdout else ""
        assert asked.returncode == 0, asked.stderr
        assert "in the order the awaitables were passed" in asked.stdout
    finally:
        agent.terminate()
        agent.wait(timeout=30)
        n2.stop()
        n1.stop()
