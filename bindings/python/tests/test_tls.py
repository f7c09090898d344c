"""HTTPS: verification on by default, the CA file, the failures, ssl=False,
client certificates."""

import ssl

import pytest

import libasync
from libasync import ClientSession, TCPConnector, capi
from support import env, https_url


def ca_connector(**kwargs):
    return TCPConnector(cafile=env("ASYNC_TEST_CA"), **kwargs)


async def get_text(session, url, **kwargs):
    async with session.get(url, **kwargs) as response:
        assert response.status == 200
        return await response.text()


async def test_https_with_the_test_ca():
    async with ClientSession(connector=ca_connector()) as session:
        assert await get_text(session, https_url("/")) == "hello from nginx\n"
        # The certificate also names 127.0.0.1 (checked as an IP).
        assert await get_text(session, https_url("/", host="127.0.0.1"))
        assert await get_text(session, https_url(
            "/", "ASYNC_TEST_HTTPS_TLS12_PORT"))


async def test_the_system_store_does_not_know_the_test_ca():
    async with ClientSession() as session:
        with pytest.raises(libasync.ClientConnectorCertificateError) as info:
            await session.get(https_url("/"))
    assert info.value.errno == capi.ECERT


@pytest.mark.parametrize("port_var,reason", [
    ("ASYNC_TEST_HTTPS_EXPIRED_PORT", "expired"),
    ("ASYNC_TEST_HTTPS_WRONGHOST_PORT", "localhost"),
    ("ASYNC_TEST_HTTPS_SELFSIGNED_PORT", "self-signed"),
])
async def test_bad_certificates_are_rejected(port_var, reason):
    async with ClientSession(connector=ca_connector()) as session:
        with pytest.raises(libasync.ClientConnectorCertificateError) as info:
            await session.get(https_url("/", port_var))
    error = info.value
    assert error.errno == capi.ECERT
    assert reason in str(error)
    assert isinstance(error, ssl.CertificateError)
    assert isinstance(error, libasync.ClientSSLError)


async def test_another_ca_is_not_trusted():
    connector = TCPConnector(cafile=env("ASYNC_TEST_OTHER_CA"))
    async with ClientSession(connector=connector) as session:
        with pytest.raises(libasync.ClientConnectorCertificateError):
            await session.get(https_url("/"))


async def test_ssl_false_on_the_request_turns_verification_off():
    expired = https_url("/", "ASYNC_TEST_HTTPS_EXPIRED_PORT")
    async with ClientSession(connector=ca_connector()) as session:
        assert await get_text(session, expired, ssl=False)
        # ... for that request only.
        with pytest.raises(libasync.ClientConnectorCertificateError):
            await session.get(expired)
        assert await get_text(session, expired, verify_ssl=False)


async def test_ssl_false_on_the_connector_turns_verification_off():
    url = https_url("/", "ASYNC_TEST_HTTPS_SELFSIGNED_PORT")
    async with ClientSession(connector=TCPConnector(ssl=False)) as session:
        assert await get_text(session, url) == "hello from nginx\n"


async def test_an_ssl_context_says_whether_to_verify():
    url = https_url("/", "ASYNC_TEST_HTTPS_WRONGHOST_PORT")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    async with ClientSession(connector=ca_connector()) as session:
        assert await get_text(session, url, ssl=context)
        with pytest.raises(libasync.ClientConnectorCertificateError):
            await session.get(url, ssl=ssl.create_default_context())
    with pytest.raises(TypeError):
        TCPConnector(ssl="yes")


async def test_client_certificates():
    url = https_url("/", "ASYNC_TEST_HTTPS_CLIENT_PORT")
    connector = ca_connector(certfile=env("ASYNC_TEST_CLIENT_CERT"),
                             keyfile=env("ASYNC_TEST_CLIENT_KEY"))
    async with ClientSession(connector=connector) as session:
        assert await get_text(session, url) == "client ok\n"
    async with ClientSession(connector=ca_connector()) as session:
        async with session.get(url) as response:
            assert response.status == 400


async def test_https_connections_are_reused():
    connector = ca_connector()
    async with ClientSession(connector=connector) as session:
        for _ in range(5):
            async with session.get(https_url("/1k.bin")) as response:
                assert len(await response.read()) == 1024
        assert connector.stats()[0] == 1
