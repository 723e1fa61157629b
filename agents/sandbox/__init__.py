"""The sandbox an agent works in: a protocol and its Docker implementation."""
