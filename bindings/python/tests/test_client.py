"""ClientSession, ClientResponse and friends against nginx, httpbin and the
hostile server: aiohttp's client API, the parts people use."""

import asyncio
import json
import os

import pytest

import libasync
from libasync import (CIMultiDict, ClientResponseError, ClientSession,
                      ClientTimeout, TCPConnector)
from support import env, hostile_url, http_url, httpbin_url

# ---- the verbs and the two ways of using them -------------------------------


async def test_get_as_a_context_manager():
    async with ClientSession() as session:
        async with session.get(http_url("/")) as response:
            assert response.status == 200
            assert response.reason == "OK"
            assert response.ok
            assert await response.read() == b"hello from nginx\n"
            assert await response.text() == "hello from nginx\n"
        assert response.closed
    assert session.closed


async def test_get_awaited():
    async with ClientSession() as session:
        response = await session.get(http_url("/1k.bin"))
        body = await response.read()
        assert len(body) == 1024
        with open(os.path.join(env("ASYNC_TEST_WWW"), "1k.bin"), "rb") as f:
            assert body == f.read()
        response.release()


@pytest.mark.parametrize("verb", ["post", "put", "patch", "delete"])
async def test_verbs_with_a_body(verb):
    async with ClientSession() as session:
        call = getattr(session, verb)
        async with call(httpbin_url("/" + verb), data=b"payload") as response:
            assert response.status == 200
            echoed = await response.json()
            assert echoed["data"] == "payload"
            assert echoed["headers"]["Content-Type"] == \
                "application/octet-stream"


async def test_head_has_no_body():
    async with ClientSession() as session:
        async with session.head(http_url("/1k.bin")) as response:
            assert response.status == 200
            assert response.headers["Content-Length"] == "1024"
            assert await response.read() == b""


async def test_options_and_request():
    async with ClientSession() as session:
        async with session.options(httpbin_url("/anything")) as response:
            assert response.status == 200
        async with session.request("put", httpbin_url("/anything"),
                                   data="text") as response:
            echoed = await response.json()
            assert echoed["method"] == "PUT"
            assert echoed["data"] == "text"
            assert echoed["headers"]["Content-Type"] == \
                "text/plain; charset=utf-8"


async def test_json_body():
    async with ClientSession() as session:
        async with session.post(httpbin_url("/post"),
                                json={"a": [1, 2], "b": "é"}) as response:
            echoed = await response.json()
            assert echoed["json"] == {"a": [1, 2], "b": "é"}
            assert echoed["headers"]["Content-Type"] == "application/json"


async def test_data_and_json_together_is_an_error():
    async with ClientSession() as session:
        with pytest.raises(ValueError):
            await session.post(httpbin_url("/post"), data=b"x", json={})


async def test_form_body():
    async with ClientSession() as session:
        async with session.post(httpbin_url("/post"),
                                data={"name": "a b", "n": "1"}) as response:
            echoed = await response.json()
            assert echoed["form"] == {"name": "a b", "n": "1"}


async def test_async_iterable_and_file_bodies(tmp_path):
    async def parts():
        yield b"one,"
        yield "two"

    path = tmp_path / "body.bin"
    path.write_bytes(b"from a file")
    async with ClientSession() as session:
        async with session.post(httpbin_url("/post"), data=parts()) as r:
            assert (await r.json())["data"] == "one,two"
        with open(path, "rb") as f:
            async with session.post(httpbin_url("/post"), data=f) as r:
                assert (await r.json())["data"] == "from a file"


async def test_params_are_encoded_into_the_query():
    async with ClientSession() as session:
        async with session.get(httpbin_url("/get?x=1"),
                               params={"q": "a b&c", "n": 2}) as response:
            assert (await response.json())["args"] == \
                {"x": "1", "q": "a b&c", "n": "2"}
            assert response.url.query_string == "x=1&q=a+b%26c&n=2"
        async with session.get(httpbin_url("/get"),
                               params=[("k", "1"), ("k", "2")]) as response:
            assert (await response.json())["args"] == {"k": ["1", "2"]}


async def test_unsafe_characters_in_urls_are_quoted():
    async with ClientSession() as session:
        async with session.get(httpbin_url("/anything/a b/é")) as response:
            assert response.status == 200
            assert response.url.path == "/anything/a%20b/%C3%A9"


async def test_unsupported_arguments_are_refused():
    async with ClientSession() as session:
        with pytest.raises(TypeError) as info:
            await session.get(http_url("/"), proxy="http://x")
        assert "proxy" in str(info.value)


# ---- the session's settings -------------------------------------------------


async def test_base_url():
    async with ClientSession(base_url=httpbin_url("/")) as session:
        async with session.get("/get") as response:
            assert response.status == 200
            assert str(response.url) == httpbin_url("/get")
        async with session.get(http_url("/")) as response:  # absolute
            assert await response.read() == b"hello from nginx\n"
    with pytest.raises(ValueError):
        ClientSession(base_url="/relative")


async def test_session_headers_merge_with_request_headers():
    headers = {"X-Session": "s", "X-Both": "session"}
    async with ClientSession(headers=headers) as session:
        assert session.headers["x-session"] == "s"
        async with session.get(httpbin_url("/headers"),
                               headers={"x-both": "request",
                                        "X-Request": "r"}) as response:
            sent = (await response.json())["headers"]
    assert sent["X-Session"] == "s"
    assert sent["X-Both"] == "request"
    assert sent["X-Request"] == "r"
    assert sent["User-Agent"].startswith("libasync/")


async def test_headers_with_cr_or_lf_are_refused():
    async with ClientSession() as session:
        with pytest.raises(ValueError):
            await session.get(http_url("/"), headers={"X-Bad": "a\r\nb: c"})


async def test_response_headers_are_case_insensitive_and_keep_repeats():
    async with ClientSession() as session:
        url = httpbin_url("/response-headers")
        async with session.get(url, params=[("X-Twice", "one"),
                                            ("X-Twice", "two")]) as response:
            headers = response.headers
            assert headers["x-twice"] == "one"
            assert headers.getall("X-TWICE") == ["one", "two"]
            assert "content-type" in headers
            assert headers.get("X-Missing") is None
            assert response.content_type == "application/json"
            assert response.content_length == \
                int(headers["Content-Length"])
            with pytest.raises(TypeError):
                headers["X-New"] = "no"


def test_cimultidict():
    d = CIMultiDict([("A", "1"), ("b", "2")])
    d.add("a", "3")
    assert d["a"] == "1" and d.getall("A") == ["1", "3"]
    assert list(d.keys()) == ["A", "b", "a"] and len(d) == 3
    d["A"] = "x"
    assert d.getall("a") == ["x"]
    d.update({"B": "y"})
    assert d.items() == [("A", "x"), ("B", "y")]
    del d["b"]
    assert "B" not in d and d == {"a": "x"}
    assert d.popone("a") == "x" and len(d) == 0


async def test_raise_for_status():
    async with ClientSession() as session:
        async with session.get(httpbin_url("/status/418")) as response:
            assert response.status == 418
            assert not response.ok
            with pytest.raises(ClientResponseError) as info:
                response.raise_for_status()
            # In the context, the body stays readable.
            assert b"teapot" in await response.read()
        assert info.value.status == 418
        assert info.value.message == response.reason
        assert info.value.request_info.method == "GET"
        assert str(info.value.request_info.url) == httpbin_url("/status/418")
        assert info.value.errno is None
        # The request's own setting, and the session's.
        with pytest.raises(ClientResponseError):
            await session.get(httpbin_url("/status/500"),
                              raise_for_status=True)
    async with ClientSession(raise_for_status=True) as session:
        with pytest.raises(ClientResponseError) as info:
            await session.get(httpbin_url("/status/404"))
        assert info.value.status == 404
        async with session.get(httpbin_url("/status/404"),
                               raise_for_status=False) as response:
            assert response.status == 404


async def test_raise_for_status_as_a_callable():
    seen = []

    async def check(response):
        seen.append(response.status)

    async with ClientSession(raise_for_status=check) as session:
        async with session.get(httpbin_url("/status/201")):
            pass
    assert seen == [201]


async def test_json_checks_the_content_type():
    async with ClientSession() as session:
        async with session.get(http_url("/")) as response:
            with pytest.raises(libasync.ContentTypeError):
                await response.json()
            with pytest.raises(json.JSONDecodeError):
                await response.json(content_type=None)


async def test_text_uses_the_charset_or_utf8():
    path = os.path.join(env("ASYNC_TEST_WWW"), "utf8.txt")
    with open(path, "wb") as f:
        f.write("é∮\n".encode("utf-8"))
    async with ClientSession() as session:
        async with session.get(httpbin_url("/html")) as response:
            assert response.charset == "utf-8"
            assert response.content_type == "text/html"
            assert response.get_encoding() == "utf-8"
            assert "Herman Melville" in await response.text()
        async with session.get(http_url("/utf8.txt")) as response:
            assert response.charset is None
            assert await response.text() == "é∮\n"
            assert await response.text("latin-1") == \
                "é∮\n".encode("utf-8").decode("latin-1")
            assert await response.text("ascii", errors="replace") == \
                "\ufffd" * 5 + "\n"


async def test_raise_for_status_outside_a_context_releases():
    async with ClientSession() as session:
        response = await session.get(httpbin_url("/status/404"))
        with pytest.raises(ClientResponseError):
            response.raise_for_status()
        assert response.closed


async def test_read_after_release_without_reading_fails():
    async with ClientSession() as session:
        response = await session.get(http_url("/"))
        response.release()
        with pytest.raises(libasync.ClientConnectionError):
            await response.read()
        response = await session.get(http_url("/"))
        body = await response.read()
        response.release()
        assert await response.read() == body  # read before: kept


async def test_the_session_is_unusable_once_closed():
    session = ClientSession()
    await session.close()
    with pytest.raises(RuntimeError):
        await session.get(http_url("/"))
    with pytest.raises(TypeError):
        with ClientSession():
            pass


async def test_libasync_request_helper():
    async with libasync.request("GET", http_url("/")) as response:
        assert await response.read() == b"hello from nginx\n"


async def test_response_details():
    async with ClientSession() as session:
        async with session.get(http_url("/")) as response:
            assert response.version == libasync.HttpVersion(1, 1)
            assert response.method == "GET"
            assert response.url.host == "127.0.0.1"
            assert response.url.port == int(env("ASYNC_TEST_HTTP_PORT"))
            assert response.url.path == "/"
            assert response.real_url == response.url
            assert response.history == ()
            assert (b"Server", response.headers["Server"].encode()) in \
                response.raw_headers
            assert "200 OK" in repr(response)


# ---- redirects --------------------------------------------------------------


async def test_redirects_are_followed_with_history():
    async with ClientSession() as session:
        async with session.get(httpbin_url("/redirect/3")) as response:
            assert response.status == 200
            assert str(response.url) == httpbin_url("/get")
            assert [r.status for r in response.history] == [302, 302, 302]
            assert str(response.history[0].url) == httpbin_url("/redirect/3")
            assert all(r.closed for r in response.history)


async def test_redirects_not_followed_when_asked():
    async with ClientSession() as session:
        async with session.get(httpbin_url("/redirect/1"),
                               allow_redirects=False) as response:
            assert response.status == 302
            assert response.headers["Location"]
            assert response.history == ()


async def test_too_many_redirects():
    async with ClientSession() as session:
        with pytest.raises(libasync.TooManyRedirects) as info:
            await session.get(hostile_url("/redirect-loop"), max_redirects=3)
        assert len(info.value.history) == 3
        assert isinstance(info.value, ClientResponseError)
        # aiohttp's count: max_redirects=N allows N - 1 redirects.
        async with session.get(httpbin_url("/redirect/2"),
                               max_redirects=3) as response:
            assert response.status == 200


async def test_303_turns_a_post_into_a_get():
    url = httpbin_url("/redirect-to")
    params = {"url": "/anything", "status_code": "303"}
    async with ClientSession() as session:
        async with session.post(url, params=params, data=b"x") as response:
            echoed = await response.json()
            assert echoed["method"] == "GET"
            assert echoed["data"] == ""
        params["status_code"] = "307"
        async with session.post(url, params=params, data=b"x") as response:
            echoed = await response.json()
            assert echoed["method"] == "POST"
            assert echoed["data"] == "x"


async def test_authorization_is_dropped_across_origins():
    other = http_url("/")  # nginx: another port, another origin
    async with ClientSession() as session:
        async with session.get(
                httpbin_url("/redirect-to"),
                params={"url": httpbin_url("/headers")},
                headers={"Authorization": "Bearer same-origin"}) as response:
            sent = (await response.json())["headers"]
            assert sent["Authorization"] == "Bearer same-origin"
        async with session.get(
                httpbin_url("/redirect-to"), params={"url": other},
                headers={"Authorization": "Bearer x"}) as response:
            assert response.status == 200
            assert len(response.history) == 1


async def test_a_non_http_location_is_not_followed():
    async with ClientSession() as session:
        async with session.get(hostile_url("/redirect-ftp")) as response:
            assert response.status == 302
            assert response.headers["Location"].startswith("ftp://")


# ---- content encodings ------------------------------------------------------


async def test_gzip_and_deflate_are_decoded():
    async with ClientSession() as session:
        async with session.get(hostile_url("/gzip")) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert await response.read() == b"hello gzip\n" * 100
        async with session.get(hostile_url("/deflate")) as response:
            assert await response.read() == b"hello deflate\n" * 100
        async with session.get(httpbin_url("/gzip")) as response:
            assert (await response.json())["gzipped"] is True


async def test_auto_decompress_off_gives_the_raw_body():
    async with ClientSession(auto_decompress=False) as session:
        async with session.get(httpbin_url("/headers")) as response:
            sent = (await response.json())["headers"]
            assert "Accept-Encoding" not in sent
        async with session.get(hostile_url("/gzip")) as response:
            body = await response.read()
            assert body[:2] == b"\x1f\x8b"
    async with ClientSession() as session:
        async with session.get(hostile_url("/gzip"),
                               auto_decompress=False) as response:
            assert (await response.read())[:2] == b"\x1f\x8b"


# ---- the connector ----------------------------------------------------------


async def test_connections_are_reused_and_limited():
    connector = TCPConnector(limit=2)
    async with ClientSession(connector=connector) as session:
        await session.get(hostile_url("/stats/reset"))

        async def one():
            async with session.get(hostile_url("/ok")) as response:
                return await response.read()

        bodies = await asyncio.gather(*[one() for _ in range(20)])
        assert bodies == [b"ok\n"] * 20
        opened, open_now = connector.stats()
        assert opened <= 3  # two for /ok, one for /stats/reset
        assert connector.limit == 2
    assert connector.closed


async def test_limit_per_host_queues_requests():
    connector = TCPConnector(limit_per_host=1)
    timeout = ClientTimeout(connect=0.3)
    async with ClientSession(connector=connector, timeout=timeout) as s:
        first = asyncio.ensure_future(s.get(hostile_url("/silence")))
        await asyncio.sleep(0.1)
        # The only connection to the host is taken: the next one waits
        # in the queue until its connect timeout.
        with pytest.raises(asyncio.TimeoutError):
            await s.get(hostile_url("/ok"))
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first


async def test_a_shared_connector_survives_a_session_that_does_not_own_it():
    connector = TCPConnector()
    async with ClientSession(connector=connector,
                             connector_owner=False) as session:
        assert (await (await session.get(http_url("/"))).read())
    assert not connector.closed
    async with ClientSession(connector=connector) as session:
        assert (await (await session.get(http_url("/"))).read())
    assert connector.closed


async def test_force_close_opens_a_connection_per_request():
    connector = TCPConnector(force_close=True)
    async with ClientSession(connector=connector) as session:
        for _ in range(3):
            async with session.get(http_url("/")) as response:
                await response.read()
        assert connector.stats()[0] == 3


async def test_trust_env_uses_the_proxy_from_the_environment(monkeypatch):
    proxy = "http://127.0.0.1:%s" % env("ASYNC_TEST_PROXY_PORT")
    log = env("ASYNC_TEST_PROXY_LOG")
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    url = http_url("/1k.bin")
    async with ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 200
    with open(log) as f:
        assert "GET " + url not in f.read()
    async with ClientSession(trust_env=True) as session:
        async with session.get(url) as response:
            assert response.status == 200
            assert len(await response.read()) == 1024
    with open(log) as f:
        assert "GET " + url in f.read()


async def test_dns_servers_from_an_async_resolver():
    resolver = libasync.AsyncResolver(
        nameservers=["127.0.0.1:%s" % env("ASYNC_TEST_DNS_PORT")])
    async with ClientSession(connector=TCPConnector(resolver=resolver)) as s:
        url = "http://v4.test:%s/" % env("ASYNC_TEST_HTTP_PORT")
        async with s.get(url) as response:
            assert await response.read() == b"hello from nginx\n"


async def test_json_serialize_is_used():
    def serialize(value):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    async with ClientSession(json_serialize=serialize) as session:
        async with session.post(httpbin_url("/post"),
                                json={"b": 1, "a": 2}) as response:
            assert (await response.json())["data"] == '{"a":2,"b":1}'
