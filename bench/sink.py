"""The stack's SMTP sink in its own process: `python -m bench.sink MAIL_DIR PORT`."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from claimdesk.adapters.mailsink import serve_mail_sink


async def serve(directory: Path, port: int) -> None:
    server = await serve_mail_sink(directory, "127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1]), int(sys.argv[2])))
