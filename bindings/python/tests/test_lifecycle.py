"""Timeouts, cancelling, closing, garbage collection and leaks."""

import asyncio
import gc
import time
import warnings

import pytest

from libasync import (ClientSession, ClientTimeout, ServerTimeoutError,
                      TCPConnector, capi, client)
from support import hostile_url, http_url, rss_bytes


async def hostile_open_connections():
    """How many connections the hostile server has open. Asked on a
    connection of its own, which the server does not count."""
    async with ClientSession() as session:
        async with session.get(hostile_url("/stats")) as response:
            return (await response.json())["open"]


async def wait_open_connections(at_most):
    """Polls the hostile server until it has at most `at_most` open
    connections (or 5 s passed); returns the last count."""
    deadline = time.monotonic() + 5
    while True:
        count = await hostile_open_connections()
        if count <= at_most or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.05)


# ---- timeouts ---------------------------------------------------------------


async def test_total_timeout_names_the_phase():
    async with ClientSession(timeout=ClientTimeout(total=0.2)) as session:
        start = time.monotonic()
        with pytest.raises(asyncio.TimeoutError) as info:
            await session.get(hostile_url("/silence"))
        assert time.monotonic() - start < 2
    assert isinstance(info.value, ServerTimeoutError)
    assert "first byte" in str(info.value)


async def test_sock_read_timeout():
    timeout = ClientTimeout(sock_read=0.1)
    async with ClientSession(timeout=timeout) as session:
        with pytest.raises(ServerTimeoutError) as info:
            await session.get(hostile_url("/slow-drip"))
    assert "no data for 0.1 s" in str(info.value)
    # A read timeout longer than the gaps lets the body through.
    timeout = ClientTimeout(sock_read=1)
    async with ClientSession(timeout=timeout, stream=True) as session:
        async with session.get(hostile_url("/slow-drip")) as response:
            assert await response.content.readexactly(3) == b"abc"


async def test_a_request_timeout_overrides_the_sessions():
    async with ClientSession(timeout=ClientTimeout(total=0.1)) as session:
        async with session.get(hostile_url("/slow-drip"), stream=True,
                               timeout=ClientTimeout(total=10)) as response:
            assert await response.content.readexactly(3) == b"abc"
        with pytest.raises(asyncio.TimeoutError):
            await session.get(hostile_url("/silence"), timeout=0.1)
    async with ClientSession() as session:
        task = asyncio.ensure_future(
            session.get(hostile_url("/silence"), timeout=None))
        await asyncio.sleep(0.3)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_client_timeout():
    timeout = ClientTimeout(total=5, sock_read=1)
    assert timeout.total == 5 and timeout.connect is None
    assert timeout._replace(total=6).total == 6
    assert timeout == ClientTimeout(total=5, sock_read=1)
    with pytest.raises(AttributeError):
        timeout.total = 1
    with pytest.raises(ValueError):
        ClientTimeout(total=-1)
    with pytest.raises(ValueError):
        ClientSession(timeout=5)


# ---- cancelling -------------------------------------------------------------


async def test_cancelling_the_task_cancels_the_request():
    async with ClientSession() as session:
        await wait_open_connections(0)
        task = asyncio.ensure_future(session.get(hostile_url("/silence")))
        await asyncio.sleep(0.2)
        assert await hostile_open_connections() == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The C request was cancelled: its connection is closed.
        assert await wait_open_connections(0) == 0


async def test_wait_for_cancels_a_slow_request():
    async with ClientSession() as session:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(session.get(hostile_url("/silence")), 0.2)
        assert await wait_open_connections(0) == 0


async def test_cancelling_a_streamed_read():
    async with ClientSession(stream=True) as session:
        response = await session.get(hostile_url("/endless"))
        reader = asyncio.ensure_future(response.content.read())  # forever
        await asyncio.sleep(0.2)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        response.release()
        assert await wait_open_connections(0) == 0


# ---- closing and collecting -------------------------------------------------


async def test_closing_the_session_closes_its_connections():
    connector = TCPConnector()
    session = ClientSession(connector=connector)
    await asyncio.gather(*[session.get(hostile_url("/ok")) for _ in range(5)])
    assert connector.stats()[1] >= 1
    assert await wait_open_connections(5) >= 1
    await session.close()
    assert session.closed and connector.closed
    assert await wait_open_connections(0) == 0


async def test_an_unreleased_streamed_response_is_cancelled_when_collected():
    async with ClientSession(stream=True) as session:
        response = await session.get(hostile_url("/endless"))
        await response.content.read(10)
        del response
        gc.collect()
        assert await wait_open_connections(0) == 0


async def test_an_unclosed_session_warns_and_frees_its_connections():
    session = ClientSession()
    await (await session.get(hostile_url("/ok"))).read()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del session
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) for w in caught)
    del caught  # the warnings hold the session
    gc.collect()
    assert await wait_open_connections(0) == 0


async def test_responses_release_their_c_futures():
    async with ClientSession() as session:
        response = await session.get(http_url("/"))
        assert response._cfuture is not None
        assert response.headers["Server"]
        await response.read()
        response.release()
        future = response._cfuture
        assert future is not None  # kept: cheap, and the headers stay lazy
        del response
        gc.collect()
        big = await session.get(http_url("/1m.bin"))
        await big.read()
        assert big._cfuture is None  # a large body lets it go at once
        assert big.headers["Content-Length"] == "1048576"
        unread = await session.get(http_url("/1k.bin"))
        unread.release()
        assert unread._cfuture is None  # an unread body is freed


def test_two_asyncio_loops_one_after_the_other(run_async):
    async def fetch():
        async with ClientSession() as session:
            async with session.get(http_url("/")) as response:
                return await response.read()

    assert run_async(fetch()) == b"hello from nginx\n"
    assert run_async(fetch()) == b"hello from nginx\n"


def test_a_connector_outlives_its_first_loop(run_async):
    connector = TCPConnector()

    async def fetch():
        async with ClientSession(connector=connector,
                                 connector_owner=False) as session:
            async with session.get(http_url("/")) as response:
                return await response.read()

    assert run_async(fetch()) == b"hello from nginx\n"
    # Its first loop is gone: it opens new connections on the new one.
    assert run_async(fetch()) == b"hello from nginx\n"
    run_async(connector.close())
    with pytest.raises(RuntimeError):
        ClientSession(connector=connector)


# ---- leaks ------------------------------------------------------------------


async def test_10000_requests_keep_the_rss_flat():
    """After a warm-up, 10,000 more requests (in every style: awaited,
    context-managed, streamed, failed, cancelled) leave the RSS where it
    was, give or take a small tolerance for the allocators."""

    async def batch(session, n):
        async def one(i):
            kind = i % 10
            if kind < 5:
                async with session.get(http_url("/1k.bin")) as response:
                    await response.read()
            elif kind < 7:
                response = await session.get(http_url("/"), stream=True)
                async for _ in response.content.iter_any():
                    pass
                response.release()
            elif kind == 7:
                async with session.post(http_url("/"), data=b"x" * 100) as r:
                    await r.read()
            elif kind == 8:
                with pytest.raises(Exception):
                    await session.get(hostile_url("/empty-reply"))
            elif i % 20 == 9:
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(
                        session.get(hostile_url("/silence")), 0.01)
            else:
                async with session.get(hostile_url("/ok")) as response:
                    response.headers.getall("Content-Length")

        for start in range(0, n, 100):
            await asyncio.gather(*[one(i) for i in range(start, start + 100)])

    async with ClientSession() as session:
        await batch(session, 3000)
        gc.collect()
        before = rss_bytes()
        await batch(session, 10000)
        gc.collect()
        after = rss_bytes()
    assert client._streams == {}
    growth = after - before
    assert growth < 4 << 20, "RSS grew by %.1f MB over 10,000 requests" % (
        growth / (1 << 20))


async def test_capi_futures_do_not_leak():
    await capi.sleep(0)
    gc.collect()
    before = rss_bytes()
    for _ in range(20):
        await capi.gather(*[capi.sleep(0) for _ in range(500)])
    gc.collect()
    assert rss_bytes() - before < 4 << 20
