"""Every libasync error code becomes one of aiohttp's exceptions, keeping
the C code (errno) and the library's message (str)."""

import asyncio
import ssl

import pytest

import libasync
from libasync import (ClientSession, ClientTimeout, TCPConnector, capi,
                      client_exceptions)
from support import env, hostile_url, http_url

E = libasync


def dns_connector():
    resolver = libasync.AsyncResolver(
        nameservers=["127.0.0.1:%s" % env("ASYNC_TEST_DNS_PORT")])
    return TCPConnector(resolver=resolver)


async def fails(url, cls, code, *, session=None, text=None, **kwargs):
    """Requests url and checks the exception: its class, its errno, that
    its message names the URL (and text)."""
    own = session is None
    if own:
        session = ClientSession(timeout=ClientTimeout(total=10))
    try:
        with pytest.raises(cls) as info:
            response = await session.get(url, **kwargs)
            await response.read()
    finally:
        if own:
            await session.close()
    error = info.value
    assert isinstance(error, E.ClientError)
    assert error.errno == code, str(error)
    assert error.error_name == capi.err_name(code)
    assert capi.err_name(code) in str(error)
    if text is not None:
        assert text in str(error)
    return error


async def test_malformed_url_is_InvalidURL():
    error = await fails("http://[::1", E.InvalidUrlClientError, capi.EURL,
                        text="malformed URL")
    assert isinstance(error, E.InvalidURL)
    assert isinstance(error, ValueError)
    assert error.url == "http://[::1"


async def test_other_scheme_is_NonHttpUrlClientError():
    error = await fails("ftp://127.0.0.1/x", E.NonHttpUrlClientError,
                        capi.ESCHEME)
    assert isinstance(error, E.InvalidURL)


async def test_unknown_host_is_ClientConnectorDNSError():
    url = "http://nosuch.test:%s/" % env("ASYNC_TEST_HTTP_PORT")
    async with ClientSession(connector=dns_connector()) as session:
        error = await fails(url, E.ClientConnectorDNSError, capi.EDNS,
                            session=session, text="nosuch.test")
    assert isinstance(error, E.ClientConnectorError)
    assert isinstance(error, E.ClientConnectionError)
    assert isinstance(error, OSError)


async def test_unknown_proxy_is_ClientProxyConnectionError(monkeypatch):
    monkeypatch.setenv("http_proxy", "http://nx-proxy.test:1")
    monkeypatch.delenv("no_proxy", raising=False)
    async with ClientSession(connector=dns_connector(),
                             trust_env=True) as session:
        error = await fails(http_url("/"), E.ClientProxyConnectionError,
                            capi.EPROXYDNS, session=session,
                            text="nx-proxy.test")
    assert isinstance(error, E.ClientConnectorError)


async def test_refused_connection_is_ClientConnectorError():
    url = "http://127.0.0.1:%s/" % env("ASYNC_TEST_FREE_PORT")
    await fails(url, E.ClientConnectorError, capi.ECONNECT,
                text="could not connect")


async def test_tls_with_a_plain_server_is_ClientConnectorSSLError():
    url = "https://127.0.0.1:%s/" % env("ASYNC_TEST_HTTP_PORT")
    error = await fails(url, E.ClientConnectorSSLError, capi.ETLS)
    assert isinstance(error, E.ClientSSLError)
    assert isinstance(error, ssl.SSLError)


async def test_rejected_certificate_is_ClientConnectorCertificateError():
    url = "https://localhost:%s/" % env("ASYNC_TEST_HTTPS_SELFSIGNED_PORT")
    error = await fails(url, E.ClientConnectorCertificateError, capi.ECERT,
                        text="self-signed")
    assert isinstance(error, E.ClientSSLError)
    assert isinstance(error, ssl.CertificateError)


async def test_timeout_is_ServerTimeoutError_and_asyncio_TimeoutError():
    async with ClientSession(timeout=ClientTimeout(total=0.3)) as session:
        error = await fails(hostile_url("/silence"), E.ServerTimeoutError,
                            capi.ETIMEDOUT, session=session,
                            text="timed out after 0.3 s (first byte)")
    assert isinstance(error, asyncio.TimeoutError)


async def test_bad_status_line_is_ClientResponseError():
    error = await fails(hostile_url("/bad-status"), E.ClientResponseError,
                        capi.EPROTO, text="Invalid response status")
    assert error.status == 0
    assert error.request_info.method == "GET"


async def test_conflicting_lengths_are_ClientResponseError():
    await fails(hostile_url("/conflicting-length"), E.ClientResponseError,
                capi.EPROTO)


async def test_short_body_is_ClientPayloadError():
    await fails(hostile_url("/short-body"), E.ClientPayloadError,
                capi.EPARTIAL, text="ended early")


async def test_empty_reply_is_ServerDisconnectedError():
    error = await fails(hostile_url("/empty-reply"),
                        E.ServerDisconnectedError, capi.EEMPTY)
    assert isinstance(error, E.ServerConnectionError)


async def test_reset_is_ClientOSError():
    error = await fails(hostile_url("/reset-headers"), E.ClientOSError,
                        capi.ERECV, text="reset")
    assert isinstance(error, OSError)
    assert error.strerror == error.message


async def test_huge_head_is_ClientResponseError():
    await fails(hostile_url("/huge-header"), E.ClientResponseError,
                capi.ETOOLARGE, text="larger than 65536")
    await fails(hostile_url("/header-flood"), E.ClientResponseError,
                capi.ETOOLARGE, text="header fields")


async def test_broken_encodings_are_ClientPayloadError():
    await fails(hostile_url("/broken-gzip"), E.ClientPayloadError,
                capi.EDECODE, text="gzip")
    await fails(hostile_url("/unknown-encoding"), E.ClientPayloadError,
                capi.EDECODE, text="br-weird")


async def test_closing_the_session_fails_its_requests():
    session = ClientSession()
    pending = asyncio.ensure_future(session.get(hostile_url("/silence")))
    await asyncio.sleep(0.2)
    await session.close()
    with pytest.raises(E.ClientConnectionError) as info:
        await pending
    assert info.value.errno == capi.ECANCELLED
    assert hostile_url("/silence") in str(info.value)


@pytest.mark.parametrize("path,code", [("/short-body", capi.EPARTIAL),
                                       ("/reset-body", capi.ERECV),
                                       ("/chunk-cut", capi.EPARTIAL),
                                       ("/broken-gzip", capi.EDECODE)])
async def test_errors_while_streaming_the_body_are_ClientPayloadError(
        path, code):
    async with ClientSession(stream=True) as session:
        async with session.get(hostile_url(path)) as response:
            assert response.status == 200
            with pytest.raises(E.ClientPayloadError) as info:
                await response.read()
    assert info.value.errno == code
    assert hostile_url(path) in str(info.value)


def test_every_code_has_a_class():
    """The codes no local server can provoke, and all the others, through
    the table: each one, its class, its errno, its message."""
    expected = {
        capi.EINVAL: E.ClientError, capi.ENOMEM: E.ClientError,
        capi.ECANCELLED: E.ClientConnectionError,
        capi.ETIMEDOUT: E.ServerTimeoutError,
        capi.ECLOSED: E.ClientConnectionError,
        capi.EURL: E.InvalidUrlClientError,
        capi.ESCHEME: E.NonHttpUrlClientError,
        capi.EDNS: E.ClientConnectorDNSError,
        capi.EPROXYDNS: E.ClientProxyConnectionError,
        capi.ECONNECT: E.ClientConnectorError,
        capi.ETLS: E.ClientConnectorSSLError,
        capi.ECERT: E.ClientConnectorCertificateError,
        capi.EPROTO: E.ClientResponseError,
        capi.EPARTIAL: E.ClientPayloadError,
        capi.EEMPTY: E.ServerDisconnectedError,
        capi.ESEND: E.ClientOSError, capi.ERECV: E.ClientOSError,
        capi.EREDIRECTS: E.TooManyRedirects,
        capi.ETOOLARGE: E.ClientResponseError,
        capi.EDECODE: E.ClientPayloadError, capi.EIO: E.ClientOSError,
        capi.EBUSY: E.ClientError,
    }
    assert set(expected) == set(range(capi.ERR_MIN_ + 1, 0))
    for code, cls in expected.items():
        error = client_exceptions.from_error(code, "what happened",
                                             "http://x/")
        assert type(error) is cls
        assert error.errno == code
        assert error.message == "http://x/: what happened"
        assert "http://x/: what happened" in str(error)
        body = client_exceptions.from_error(code, "m", in_body=True)
        if code == capi.ETIMEDOUT:
            assert type(body) is E.ServerTimeoutError
        else:
            assert type(body) is E.ClientPayloadError


def test_exceptions_are_nested_as_aiohttps():
    assert issubclass(E.ClientConnectorCertificateError, E.ClientSSLError)
    assert issubclass(E.ClientSSLError, E.ClientConnectorError)
    assert issubclass(E.ClientConnectorError, E.ClientOSError)
    assert issubclass(E.ClientOSError, E.ClientConnectionError)
    assert issubclass(E.ServerDisconnectedError, E.ServerConnectionError)
    assert issubclass(E.ServerConnectionError, E.ClientConnectionError)
    assert issubclass(E.ServerTimeoutError, asyncio.TimeoutError)
    assert issubclass(E.TooManyRedirects, E.ClientResponseError)
    assert issubclass(E.ContentTypeError, E.ClientResponseError)
    for cls in (E.ClientResponseError, E.ClientConnectionError,
                E.ClientPayloadError, E.InvalidURL):
        assert issubclass(cls, E.ClientError)
    error = E.ClientResponseError(None, (), status=404, message="Not Found")
    assert error.code == error.status == 404
    assert error.errno is None
