"""The agents' tools: each one a schema the model sees and a ``run`` against a Sandbox."""
