"""The API served over real HTTP by uvicorn from a thread of the test process."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn


class Server:
    """uvicorn serving an app from its own thread, on a port the OS picked."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        # As `claimdesk api` serves it: X-Forwarded-For only as CLAIMDESK_TRUSTED_PROXIES says.
        config = uvicorn.Config(app, log_level="warning", lifespan="on", proxy_headers=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._thread.start()
        deadline = asyncio.get_running_loop().time() + 30
        while not self._server.started:
            if not self._thread.is_alive() or asyncio.get_running_loop().time() > deadline:
                raise RuntimeError("the API did not start")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self._server.should_exit = True
        await asyncio.to_thread(self._thread.join, 30)
        self._socket.close()
