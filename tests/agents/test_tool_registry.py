"""Tool lists: fixed order and byte-stable schemas (prompt caching depends on both)."""

from __future__ import annotations

import json

from agents.tools.registry import all_tools, by_name, read_only_tools, schemas


def test_tool_order_is_fixed() -> None:
    assert [t.name for t in all_tools()] == ["shell", "read", "write", "edit", "glob", "grep"]
    assert [t.name for t in read_only_tools()] == ["read", "glob", "grep"]


def test_read_only_tools_do_not_mutate() -> None:
    assert not any(t.mutates for t in read_only_tools())
    assert by_name(all_tools())["edit"].mutates


def test_schemas_are_byte_stable() -> None:
    first = json.dumps(schemas(all_tools()), sort_keys=False)
    assert first == json.dumps(schemas(all_tools()), sort_keys=False)
    for schema in schemas(all_tools()):
        assert set(schema) == {"name", "description", "input_schema"}
        assert schema["input_schema"]["type"] == "object"
