"""response.content: aiohttp's StreamReader over the C library's on_data
path (stream=True) with back-pressure, and over a buffered body."""

import asyncio
import hashlib
import os
import threading
import time

import pytest

from libasync import ClientSession, ClientTimeout, client
from support import env, hostile_url, http_url, httpbin_url, rss_bytes


def www_file(name):
    with open(os.path.join(env("ASYNC_TEST_WWW"), name), "rb") as f:
        return f.read()


@pytest.mark.parametrize("stream", [True, False])
async def test_read_n_gives_at_most_n(stream):
    expected = www_file("1m.bin")
    async with ClientSession(stream=stream) as session:
        async with session.get(http_url("/1m.bin")) as response:
            parts = []
            while True:
                part = await response.content.read(1000)
                if not part:
                    break
                assert len(part) <= 1000
                parts.append(part)
            assert b"".join(parts) == expected
            assert response.content.at_eof()
            assert response.content.total_bytes == len(expected)
            assert await response.content.read() == b""


@pytest.mark.parametrize("stream", [True, False])
async def test_iter_chunked_and_iter_any(stream):
    expected = www_file("1m.bin")
    async with ClientSession(stream=stream) as session:
        async with session.get(http_url("/1m.bin")) as response:
            chunks = [c async for c in response.content.iter_chunked(4096)]
            assert all(0 < len(c) <= 4096 for c in chunks)
            assert b"".join(chunks) == expected
        async with session.get(http_url("/1m.bin")) as response:
            chunks = [c async for c in response.content.iter_any()]
            assert b"".join(chunks) == expected
        async with session.get(http_url("/1m.bin")) as response:
            chunks = [c async for c, _ in response.content.iter_chunks()]
            assert b"".join(chunks) == expected


@pytest.mark.parametrize("stream", [True, False])
async def test_lines_exactly_and_until(stream):
    async with ClientSession(stream=stream) as session:
        async with session.get(httpbin_url("/stream/5")) as response:
            lines = [line async for line in response.content]
            assert len(lines) == 5
            assert all(line.endswith(b"\n") for line in lines)
        async with session.get(http_url("/1k.bin")) as response:
            assert len(await response.content.readexactly(1000)) == 1000
            with pytest.raises(asyncio.IncompleteReadError) as info:
                await response.content.readexactly(100)
            assert len(info.value.partial) == 24
        async with session.get(http_url("/")) as response:
            assert await response.content.readuntil(b"from") == b"hello from"
            assert await response.content.readline() == b" nginx\n"
            assert await response.content.readline() == b""


async def test_read_after_content_gives_the_rest():
    async with ClientSession(stream=True) as session:
        async with session.get(http_url("/1k.bin")) as response:
            head = await response.content.read(24)
            rest = await response.read()
            assert head + rest == www_file("1k.bin")
            assert await response.read() == rest


async def test_stream_per_request_and_with_redirects():
    async with ClientSession() as session:
        async with session.get(httpbin_url("/redirect/2"),
                               stream=True) as response:
            assert response.status == 200
            assert len(response.history) == 2
            assert b'"url"' in await response.read()


async def test_two_readers_at_once_is_an_error():
    async with ClientSession(stream=True) as session:
        async with session.get(hostile_url("/slow-drip")) as response:
            first = asyncio.ensure_future(response.content.read(100))
            await asyncio.sleep(0.01)
            with pytest.raises(RuntimeError):
                await response.content.read(100)
            first.cancel()


async def test_streamed_data_reaches_user_code_on_the_asyncio_thread():
    here = threading.get_ident()
    async with ClientSession(stream=True) as session:
        async with session.get(http_url("/1m.bin")) as response:
            async for _ in response.content.iter_any():
                assert threading.get_ident() == here


async def test_100_mb_stream_in_bounded_memory():
    size = 100 << 20
    path = os.path.join(env("ASYNC_TEST_WWW"), "100m.bin")
    with open(path, "wb") as f:
        f.truncate(size)  # sparse: costs no disk, nginx reads zeros
    try:
        async with ClientSession(stream=True) as session:
            # Warm up the allocator and the connection first.
            async with session.get(http_url("/1m.bin")) as response:
                await response.read()
            before = rss_bytes()
            peak = before
            digest = hashlib.sha1()
            total = 0
            async with session.get(http_url("/100m.bin")) as response:
                async for chunk in response.content.iter_chunked(1 << 16):
                    total += len(chunk)
                    digest.update(chunk)
                    if total % (4 << 20) < len(chunk):
                        peak = max(peak, rss_bytes())
            peak = max(peak, rss_bytes())
    finally:
        os.unlink(path)
    assert total == size
    assert digest.hexdigest() == hashlib.sha1(bytes(size)).hexdigest()
    assert peak - before < 50 << 20, "RSS grew by %d MB" % (
        (peak - before) >> 20)


async def test_endless_body_back_pressure_and_release():
    bufsize = 1 << 16
    async with ClientSession(stream=True, read_bufsize=bufsize) as session:
        await session.get(hostile_url("/stats/reset"))
        before = rss_bytes()
        async with session.get(hostile_url("/endless")) as response:
            stream = response._exchange.stream
            read = 0
            while read < 4 << 20:
                read += len(await response.content.read(1 << 16))
            # A reader that stops: the library is paused, the buffer stays
            # within the high-water mark (and one read of the library).
            await asyncio.sleep(0.5)
            assert stream.paused
            held = stream.pending
            assert held <= 2 * bufsize + (64 << 10)
            await asyncio.sleep(0.3)
            assert stream.pending == held
            # Reading again resumes it.
            while read < 6 << 20:
                read += len(await response.content.read(1 << 16))
        assert rss_bytes() - before < 30 << 20
        # Releasing mid-body stopped the transfer and closed the connection.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            async with session.get(hostile_url("/stats")) as stats:
                if (await stats.json())["open"] <= 1:
                    break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the endless connection stayed open")


async def test_total_timeout_while_streaming_is_a_timeout():
    timeout = ClientTimeout(total=0.6)
    async with ClientSession(stream=True, timeout=timeout) as session:
        async with session.get(hostile_url("/slow-drip")) as response:
            assert response.status == 200
            with pytest.raises(asyncio.TimeoutError):
                await response.read()


async def test_no_stream_is_left_behind():
    async with ClientSession(stream=True) as session:
        for path in ("/1k.bin", "/1m.bin"):
            async with session.get(http_url(path)) as response:
                await response.read()
        async with session.get(hostile_url("/endless")) as response:
            await response.content.read(10)
        for _ in range(100):
            if not client._streams:
                break
            await asyncio.sleep(0.01)
    assert client._streams == {}


async def test_a_paused_stream_does_not_hit_the_read_timeout():
    timeout = ClientTimeout(sock_read=0.3)
    async with ClientSession(stream=True, timeout=timeout) as session:
        async with session.get(hostile_url("/endless")) as response:
            await response.content.read(1000)
            # The reader stops; the library is paused by back-pressure.
            await asyncio.sleep(1)
            assert response._exchange.stream.paused
            read = 0
            while read < 1 << 20:
                read += len(await response.content.read(1 << 16))
