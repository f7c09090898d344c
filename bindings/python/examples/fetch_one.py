# The seed's aiohttp example: one GET with a ClientSession.
#
#   python3 fetch_one.py [BASE_URL]
#
# Only two things differ from the seed: ClientSession comes from libasync,
# and the URL is a local server's (BASE_URL, or $LIBASYNC_EXAMPLE_URL, or
# http://127.0.0.1:8080/) instead of https://www.baidu.com/. As in the
# seed, the "{}" of the URL is not filled in.
import os
import sys
import asyncio
from libasync import ClientSession

tasks = []
base = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    "LIBASYNC_EXAMPLE_URL", "http://127.0.0.1:8080/")
url = base + "{}"


async def hello(url):
    async with ClientSession() as session:
        async with session.get(url) as response:
            response = await response.read()
            print(response)


if __name__ == '__main__':
    loop = asyncio.get_event_loop()
    loop.run_until_complete(hello(url))
