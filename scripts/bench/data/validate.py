#!/usr/bin/env python3
"""Checks the evaluation sets in this folder and prints their counts.

Usage: python3 scripts/bench/data/validate.py

Exits with status 1 and lists every problem when a line is not JSON, lacks a field, has a
field of the wrong type or value, repeats an id, shares a question text between the dev and
test splits, or cites a knowledge record that does not exist.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KNOWLEDGE = HERE.parents[2] / "config" / "demo" / "knowledge"
EXPERTS = {"python_expert", "milvus_expert", "devops_expert"}
SPLITS = {"dev", "test"}


def read_jsonl(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            problems.append(f"{path.name}:{number}: empty line")
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{path.name}:{number}: not JSON ({error})")
            continue
        if not isinstance(value, dict):
            problems.append(f"{path.name}:{number}: not an object")
            continue
        rows.append(value)
    return rows


def check_fields(name: str, rows: list[dict[str, Any]], fields: dict[str, type], problems: list[str]) -> None:
    for row in rows:
        where = f"{name} {row.get('id', '?')}"
        if set(row) != set(fields):
            problems.append(f"{where}: fields {sorted(row)} instead of {sorted(fields)}")
        for field, kind in fields.items():
            if field in row and not isinstance(row[field], kind):
                problems.append(f"{where}: {field} is not {kind.__name__}")
            elif isinstance(row.get(field), str) and not row[field].strip():
                problems.append(f"{where}: {field} is empty")
        if "split" in row and row["split"] not in SPLITS:
            problems.append(f"{where}: split {row['split']!r}")


def check_ids(name: str, rows: list[dict[str, Any]], prefix: str, problems: list[str]) -> None:
    ids = Counter(str(row.get("id")) for row in rows)
    for id_, count in ids.items():
        if count > 1:
            problems.append(f"{name}: id {id_} used {count} times")
        if not id_.startswith(prefix):
            problems.append(f"{name}: id {id_} does not start with {prefix}")


def check_split_leak(name: str, texts: dict[str, set[str]], problems: list[str]) -> None:
    shared = {text.casefold() for text in texts["dev"]} & {text.casefold() for text in texts["test"]}
    for text in sorted(shared):
        problems.append(f"{name}: text in both dev and test: {text!r}")


def reuse_pairs(problems: list[str]) -> list[str]:
    name = "reuse-pairs.jsonl"
    rows = read_jsonl(HERE / name, problems)
    check_fields(name, rows, {"id": str, "split": str, "a": str, "b": str, "same": bool, "why": str}, problems)
    check_ids(name, rows, "r-", problems)
    texts: dict[str, set[str]] = {"dev": set(), "test": set()}
    kinds: Counter[tuple[str, str]] = Counter()
    for row in rows:
        split, same, why = row.get("split"), row.get("same"), str(row.get("why", ""))
        if same is True and why != "paraphrase":
            problems.append(f"{name} {row.get('id')}: same pair whose why is not 'paraphrase'")
        if same is False and not why.startswith("hard-negative: "):
            problems.append(f"{name} {row.get('id')}: different pair whose why is not 'hard-negative: ...'")
        if row.get("a") == row.get("b"):
            problems.append(f"{name} {row.get('id')}: a and b are the same text")
        if split in texts:
            texts[split].update((str(row.get("a")), str(row.get("b"))))
        kinds[(str(split), "paraphrase" if same else "hard negative")] += 1
    check_split_leak(name, texts, problems)
    lines = [f"{name}: {len(rows)} pairs"]
    for split in sorted(SPLITS):
        lines.append(f"  {split}: {kinds[(split, 'paraphrase')]} paraphrases, {kinds[(split, 'hard negative')]} hard negatives")
    return lines


def routing(problems: list[str]) -> list[str]:
    name = "routing.jsonl"
    rows = read_jsonl(HERE / name, problems)
    check_fields(name, rows, {"id": str, "split": str, "question": str, "experts": list, "note": str}, problems)
    check_ids(name, rows, "q-", problems)
    texts: dict[str, set[str]] = {"dev": set(), "test": set()}
    kinds: Counter[tuple[str, str]] = Counter()
    for row in rows:
        experts = row.get("experts")
        if not isinstance(experts, list):
            continue
        if len(experts) > 2 or len(set(experts)) != len(experts) or not set(experts) <= EXPERTS:
            problems.append(f"{name} {row.get('id')}: experts {experts}")
        kind = "off-topic" if not experts else ("cross-domain" if len(experts) == 2 else str(experts[0]))
        split = str(row.get("split"))
        kinds[(split, kind)] += 1
        if split in texts:
            texts[split].add(str(row.get("question")))
    check_split_leak(name, texts, problems)
    lines = [f"{name}: {len(rows)} questions"]
    for split in sorted(SPLITS):
        parts = ", ".join(f"{kind} {count}" for (s, kind), count in sorted(kinds.items()) if s == split)
        lines.append(f"  {split}: {parts}")
    return lines


def knowledge(problems: list[str]) -> dict[str, str]:
    questions: dict[str, str] = {}
    for path in sorted(KNOWLEDGE.glob("*.jsonl")):
        for row in read_jsonl(path, problems):
            questions[str(row["id"])] = str(row.get("question", ""))
    return questions


def retrieval_heldout(problems: list[str]) -> list[str]:
    name = "retrieval-heldout.jsonl"
    rows = read_jsonl(HERE / name, problems)
    check_fields(name, rows, {"id": str, "question": str, "answers": list}, problems)
    check_ids(name, rows, "h-", problems)
    records = knowledge(problems)
    own_questions = {question.casefold().strip() for question in records.values()}
    cited: set[str] = set()
    for row in rows:
        answers = row.get("answers")
        if not isinstance(answers, list) or not answers:
            problems.append(f"{name} {row.get('id')}: no answers")
            continue
        for answer in answers:
            if answer not in records:
                problems.append(f"{name} {row.get('id')}: unknown record {answer!r}")
            cited.add(str(answer))
        if str(row.get("question", "")).casefold().strip() in own_questions:
            problems.append(f"{name} {row.get('id')}: copies a record's own question")
    domains = Counter(answer.split("-")[0] for answer in cited)
    return [
        f"{name}: {len(rows)} questions citing {len(cited)} of {len(records)} records"
        f" ({', '.join(f'{prefix} {count}' for prefix, count in sorted(domains.items()))})"
    ]


def main() -> int:
    problems: list[str] = []
    report = reuse_pairs(problems) + routing(problems) + retrieval_heldout(problems)
    print("\n".join(report))
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
