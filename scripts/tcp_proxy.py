#!/usr/bin/env python3
"""A loopback TCP forwarder for fault tests: 127.0.0.1:LISTEN -> 127.0.0.1:TARGET.

    python3 scripts/tcp_proxy.py LISTEN TARGET

Killing it drops every connection at once, as a crashed server would; starting it again on the
same port brings the "server" back. Only loopback addresses are used.
"""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(listen, target):
    async def handle(r, w):
        try:
            tr, tw = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            w.close()
            return
        await asyncio.gather(pipe(r, tw), pipe(tr, w))

    server = await asyncio.start_server(handle, "127.0.0.1", listen, reuse_address=True)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
