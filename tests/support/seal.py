"""The tests' seal keys, and a client that talks to Temporal as an intruder would."""

from __future__ import annotations

import secrets

from temporalio.client import Client

from claimdesk.adapters.seal import Sealer
from claimdesk.adapters.temporal import data_converter
from claimdesk.core.seal import Keyring

# Every process of the test session (and the workers it spawns) seals and checks with it.
SEAL_KEYS = f"test:{secrets.token_hex(32)}"


def sealing(namespace: str, keys: str = SEAL_KEYS) -> Sealer:
    """What the API puts on its client: seals with the first of `keys`."""
    return Sealer(Keyring.parse(keys), namespace, data_converter.payload_converter)


def unsealed(client: Client) -> Client:
    """A plain client on the same connection: what reaches Temporal around the API."""
    return Client(client.service_client, namespace=client.namespace, data_converter=data_converter)


def sealed_with(client: Client, keys: str) -> Client:
    """A client on the same connection that seals with the first of `keys`."""
    return Client(
        client.service_client,
        namespace=client.namespace,
        data_converter=data_converter,
        interceptors=[sealing(client.namespace, keys)],
    )
