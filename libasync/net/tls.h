/*
 * TLS settings shared by the connections of a session: one OpenSSL
 * context (TLS 1.2 at least, peer verification on unless turned off, CA
 * paths set in code, client certificate, ALPN) and a session cache per
 * host:port so that a second connection resumes. Never reads OpenSSL's
 * configuration file.
 */
#ifndef ASYNC_NET_TLS_H
#define ASYNC_NET_TLS_H

#include <openssl/ssl.h>

typedef struct async__tls async__tls_t;

typedef struct async__tls_config {
  int verify;            /* verify the peer (1) or not (0) */
  const char *ca_file;   /* PEM CA bundle instead of the system's, or NULL */
  const char *ca_dir;    /* hashed CA directory instead, or NULL */
  const char *cert_file; /* client certificate chain (PEM), or NULL */
  const char *key_file;  /* its private key (PEM), or NULL: in cert_file */
} async__tls_config_t;

/* The system's CA bundle and directory (Debian's ca-certificates). */
#define ASYNC__SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define ASYNC__SYSTEM_CA_DIR "/etc/ssl/certs"

/*
 * Makes a context. Returns 0, or ASYNC_ETLS / ASYNC_ENOMEM with *error set
 * to a message (free it with async__free) naming what failed, e.g. an
 * unreadable CA file.
 */
int async__tls_new(async__tls_t **out, const async__tls_config_t *config,
                   char **error);

async__tls_t *async__tls_retain(async__tls_t *tls);
void async__tls_release(async__tls_t *tls);

/*
 * A client SSL for one connection to host:port, verifying host (a name,
 * with SNI, or an IP literal, without) when the context verifies, and
 * offering a cached session for host:port. Returns NULL when memory ran
 * out.
 */
SSL *async__tls_ssl_new(async__tls_t *tls, const char *host, int port);

/* Makes ssl read and write fd through a socket BIO that never raises
 * SIGPIPE (send with MSG_NOSIGNAL). Returns 0 or ASYNC_ENOMEM. */
int async__tls_attach(SSL *ssl, int fd);

/* After a failed handshake: the error (ASYNC_ECERT or ASYNC_ETLS) and a
 * message in words (free it with async__free). */
int async__tls_handshake_error(SSL *ssl, int ssl_error, const char *host,
                               char **message);

#endif /* ASYNC_NET_TLS_H */
