"""Adapters to the outside world: Temporal, the embedded PostgreSQL, the dev mail sink, logs.

The Temporal client and data converter, cluster setup (namespace, search attributes),
and the worker's telemetry.
"""
