# The seed's aiohttp example: five URLs fetched concurrently, each task made
# with asyncio.ensure_future and all awaited with asyncio.wait.
#
#   python3 fetch_wait.py [BASE_URL]
#
# Only two things differ from the seed: ClientSession comes from libasync,
# and the URLs are a local server's (BASE_URL + "0" .. "4", BASE_URL being
# the argument, or $LIBASYNC_EXAMPLE_URL, or http://127.0.0.1:8080/)
# instead of https://www.baidu.com/0 .. 4.
import os
import sys
import time
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
            print('Hello World:%s' % time.time())


def run():
    for i in range(5):
        task = asyncio.ensure_future(hello(url.format(i)))
        tasks.append(task)


if __name__ == '__main__':
    loop = asyncio.get_event_loop()
    run()
    loop.run_until_complete(asyncio.wait(tasks))
