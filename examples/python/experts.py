"""The demo's three experts, in Python: python_expert, milvus_expert and devops_expert.

Each is a WorkerAgent of kind "expert" with the capabilities and description of the demo's
built-in experts (config/demo/node2.yaml, node3.yaml). It answers direct requests and
mentions from the community's shared memory: a hybrid search above a relevance floor,
captured posts and exchanges left out, and a retrieval-only answer that says so, in the
shape the built-in expert answers with, so the demo's coordinator routes to it alike.
With --seed each imports its knowledge (config/demo/knowledge/*.jsonl) into memory first.

    python examples/python/experts.py --data-dir ./n2 python_expert --seed
    python examples/python/experts.py --data-dir ./n3 milvus_expert devops_expert --seed
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path
from typing import Any, ClassVar

from oa_node import ChannelMessage, DirectRequest, WorkerAgent, serve

KNOWLEDGE = Path(__file__).resolve().parents[2] / "config" / "demo" / "knowledge"
#: What capture wrote and the coordinator's routing log: they echo questions, they do not answer them.
NOT_RECALLED = ["channel_message", "direct_exchange", "message", "collaboration_history"]
SNIPPET = 240


class Expert(WorkerAgent):
    """Answers from the community's memory, in retrieval-only mode (no language model here)."""

    kind = "expert"
    knowledge: ClassVar[str] = ""
    max_sources: ClassVar[int] = 4
    min_similarity: ClassVar[float] = 0.2

    def __init__(self, seed: bool = False) -> None:
        super().__init__()
        self.seed = seed
        #: True once its knowledge is in memory (at once without --seed).
        self.seeded = not seed

    async def on_start(self) -> None:
        if self.seeded or not self.knowledge:
            self.seeded = True
            return
        lines = (KNOWLEDGE / self.knowledge).read_text(encoding="utf-8").splitlines()
        for line in filter(str.strip, lines):
            record = json.loads(line)
            await self.remember(record["text"], kind=record.get("kind", "expert_knowledge"),
                                metadata=record.get("metadata"), id=record.get("id"))
        self.seeded = True
        self.log.info("imported %d records of %s", len(lines), self.knowledge)

    async def on_direct(self, req: DirectRequest) -> Any:
        if not req.text.strip():
            raise ValueError("the request has no question (send { text })")
        return await self.answer(req.text)

    async def on_mention(self, msg: ChannelMessage) -> None:
        if msg.metadata.get("agentKind") is not None:
            return
        answer = await self.answer(msg.text)
        await self.reply(msg, answer["text"], metadata={"mode": answer["mode"], "sources": answer["sources"]})

    async def answer(self, question: str) -> dict[str, Any]:
        hits = await self.recall(question, k=self.max_sources + 2, mode="hybrid", exclude_kinds=NOT_RECALLED,
                                 min_similarity=self.min_similarity)
        sources = [
            {"id": h["id"], "kind": h["kind"], "text": h["text"], "score": round(h["score"], 4), "scoreKind": h["scoreKind"],
             **({"similarity": round(h["similarity"], 3)} if h.get("similarity") is not None else {})}
            for h in hits if h["text"].strip() != question.strip()
        ][: self.max_sources]
        label = "[retrieval-only: no language model configured]"
        community = self.joined_community
        if not sources:
            text = f"{label} I have no knowledge about this in {community}."
        else:
            lines = [f"- {s['text'] if len(s['text']) <= SNIPPET else s['text'][: SNIPPET - 1] + '…'}" for s in sources]
            text = f"{label} What {community} knows that matches ({self.name}):\n" + "\n".join(lines)
        return {"agent": self.id, "text": text, "mode": "retrieval", "sources": sources}


class PythonExpert(Expert):
    name = "python_expert"
    capabilities = ["python", "asyncio", "coroutine", "django", "flask", "fastapi", "pip", "pytest", "gil", "threading",
                    "numpy", "pandas"]
    description = "Answers Python questions, from the language and asyncio to web frameworks, packaging and testing"
    examples = [
        "Why does my asyncio coroutine hang or never return?",
        "How do I run blocking code without freezing the event loop?",
        "pip cannot resolve my dependencies, how do I fix the install?",
        "How do I structure a FastAPI or Django app?",
        "Why are my Python threads not faster because of the GIL?",
        "How do I write and parametrize pytest tests?",
        "How do I speed up a pandas or NumPy computation?",
        "What is the difference between a virtualenv and a system Python?",
    ]
    channels = ["general", "python_channel"]
    knowledge = "python.jsonl"


class MilvusExpert(Expert):
    name = "milvus_expert"
    capabilities = ["milvus", "vector", "hnsw", "ivf", "index", "embedding", "embeddings", "recall", "lancedb", "rag",
                    "similarity"]
    description = "Answers questions about Milvus, vector indexes, embeddings and retrieval"
    examples = [
        "Which Milvus index should I use for millions of vectors, HNSW or IVF?",
        "How do I tune HNSW M and ef for better recall?",
        "My vector search returns poor nearest neighbours, how do I improve recall?",
        "How should I choose an embedding model and its dimension?",
        "How do I combine keyword and vector search for RAG retrieval?",
        "How much memory does a vector index need?",
        "How do I filter a similarity search by metadata in Milvus?",
        "Should I normalise embeddings and use cosine or inner product?",
    ]
    channels = ["general", "milvus_channel"]
    knowledge = "vectordb.jsonl"


class DevopsExpert(Expert):
    name = "devops_expert"
    capabilities = ["kubernetes", "k8s", "docker", "container", "deploy", "deployment", "helm", "ci", "pod", "prometheus",
                    "terraform"]
    description = "Answers deployment, container, Kubernetes, CI and monitoring questions"
    examples = [
        "My pod keeps restarting in CrashLoopBackOff, how do I find out why?",
        "My container gets OOMKilled in Kubernetes, how do I size its memory?",
        "How do I roll out a new version of a deployment without downtime?",
        "How do I write a Dockerfile that builds a small image?",
        "How do I set up a CI pipeline that builds, tests and deploys?",
        "How do I package my application as a Helm chart?",
        "How do I monitor my service with Prometheus and alert on errors?",
        "How do I manage cloud infrastructure with Terraform?",
    ]
    channels = ["general", "devops_channel"]
    knowledge = "devops.jsonl"


EXPERTS: dict[str, type[Expert]] = {e.name: e for e in (PythonExpert, MilvusExpert, DevopsExpert)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("experts", nargs="+", choices=sorted(EXPERTS), help="which experts to run")
    parser.add_argument("--data-dir", help="data dir of the node to connect to (default ~/.oa-node)")
    parser.add_argument("--url", help="the node's API url, with --token instead of --data-dir")
    parser.add_argument("--token", help="the node's API token, or a token from `oa-node agents token <name>`")
    parser.add_argument("--seed", action="store_true", help="import each expert's knowledge into memory at start")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    agents = [EXPERTS[name](seed=args.seed) for name in args.experts]
    try:
        asyncio.run(serve(*agents, data_dir=args.data_dir, url=args.url, token=args.token))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
