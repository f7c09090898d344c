#include "net/tls.h"

#include <libasync/error.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/alloc.h"

/* A cached session, per host:port. */
typedef struct cached {
  struct cached *next;
  char *key;
  SSL_SESSION *session;
} cached_t;

struct async__tls {
  atomic_uint refs;
  SSL_CTX *ctx;
  int verify;
  pthread_mutex_t mutex; /* guards sessions */
  cached_t *sessions;
};

static pthread_once_t openssl_once = PTHREAD_ONCE_INIT;

static void free_key(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
                     long argl, void *argp);
static int ex_index = -1; /* SSL ex_data: the connection's host:port */
static BIO_METHOD *socket_method;

/* ---- a socket BIO that never raises SIGPIPE -------------------------- */

static int bio_write(BIO *bio, const char *data, int len) {
  int fd = (int)(intptr_t)BIO_get_data(bio);
  ssize_t n = send(fd, data, (size_t)len, MSG_NOSIGNAL);

  BIO_clear_retry_flags(bio);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    BIO_set_retry_write(bio);
  return (int)n;
}

static int bio_read(BIO *bio, char *data, int len) {
  int fd = (int)(intptr_t)BIO_get_data(bio);
  ssize_t n = recv(fd, data, (size_t)len, 0);

  BIO_clear_retry_flags(bio);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    BIO_set_retry_read(bio);
  return (int)n;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr) {
  (void)bio;
  (void)num;
  (void)ptr;
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *bio) {
  BIO_set_init(bio, 1);
  return 1;
}

static void init_openssl(void) {
  /* The host's OpenSSL configuration is not ours to read. */
  OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
  ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, free_key);
  socket_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                               "libasync socket");
  if (socket_method != NULL) {
    BIO_meth_set_write(socket_method, bio_write);
    BIO_meth_set_read(socket_method, bio_read);
    BIO_meth_set_ctrl(socket_method, bio_ctrl);
    BIO_meth_set_create(socket_method, bio_create);
  }
}

/* ---- sessions --------------------------------------------------------- */

/* OpenSSL hands over each new session (TLS 1.3: after the handshake). */
static int on_new_session(SSL *ssl, SSL_SESSION *session) {
  async__tls_t *tls = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
  const char *key = SSL_get_ex_data(ssl, ex_index);
  cached_t *c;

  if (key == NULL)
    return 0;
  pthread_mutex_lock(&tls->mutex);
  for (c = tls->sessions; c != NULL && strcmp(c->key, key) != 0; c = c->next)
    ;
  if (c == NULL && (c = async__calloc(1, sizeof(*c))) != NULL) {
    if ((c->key = async__strdup(key)) == NULL) {
      async__free(c);
      c = NULL;
    } else {
      c->next = tls->sessions;
      tls->sessions = c;
    }
  }
  if (c != NULL) {
    SSL_SESSION_free(c->session);
    c->session = session; /* returning 1 keeps OpenSSL's reference */
  }
  pthread_mutex_unlock(&tls->mutex);
  return c != NULL;
}

static void offer_session(async__tls_t *tls, SSL *ssl, const char *key) {
  cached_t *c;

  pthread_mutex_lock(&tls->mutex);
  for (c = tls->sessions; c != NULL && strcmp(c->key, key) != 0; c = c->next)
    ;
  if (c != NULL && c->session != NULL)
    SSL_set_session(ssl, c->session);
  pthread_mutex_unlock(&tls->mutex);
}

/* ---- contexts --------------------------------------------------------- */

static char *openssl_error(const char *what, const char *path) {
  unsigned long e = ERR_get_error();
  char buf[256];

  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return async__format("%s '%s': %s", what, path,
                       e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e)
                                                      : buf
                         : strerror(errno));
}

static int load_trust(SSL_CTX *ctx, const async__tls_config_t *config,
                      char **error) {
  const char *file = config->ca_file;
  const char *dir = config->ca_dir;

  if (file == NULL && dir == NULL) {
    file = ASYNC__SYSTEM_CA_FILE;
    dir = ASYNC__SYSTEM_CA_DIR;
  }
  if (SSL_CTX_load_verify_locations(ctx, file, dir) != 1) {
    *error = openssl_error("could not load CA certificates from",
                           file ? file : dir);
    return ASYNC_ETLS;
  }
  return 0;
}

static int load_identity(SSL_CTX *ctx, const async__tls_config_t *config,
                         char **error) {
  const char *key = config->key_file ? config->key_file : config->cert_file;

  if (config->cert_file == NULL)
    return 0;
  if (SSL_CTX_use_certificate_chain_file(ctx, config->cert_file) != 1) {
    *error = openssl_error("could not load client certificate",
                           config->cert_file);
    return ASYNC_ETLS;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    *error = openssl_error("could not load client key", key);
    return ASYNC_ETLS;
  }
  return 0;
}

int async__tls_new(async__tls_t **out, const async__tls_config_t *config,
                   char **error) {
  static const unsigned char alpn[] = "\x08http/1.1";
  async__tls_t *tls;
  int rv = 0;

  *error = NULL;
  pthread_once(&openssl_once, init_openssl);
  if (socket_method == NULL || (tls = async__calloc(1, sizeof(*tls))) == NULL)
    return ASYNC_ENOMEM;
  atomic_init(&tls->refs, 1);
  pthread_mutex_init(&tls->mutex, NULL);
  tls->verify = config->verify;
  tls->ctx = SSL_CTX_new(TLS_client_method());
  if (tls->ctx == NULL) {
    async__tls_release(tls);
    return ASYNC_ENOMEM;
  }
  SSL_CTX_set_app_data(tls->ctx, tls);
  SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
  /* Record buffers stay while a connection is in use (freeing them
   * after every read and write costs two large mallocs a request): a
   * stream frees them during its handshake only, and a pooled connection
   * gives them back when the loop goes to wait with it still idle
   * (async__stream_trim). */
  SSL_CTX_set_mode(tls->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  /* A record in one recv, not its 5-byte header and then the rest: half
   * the reads for a response in one record. */
  SSL_CTX_set_read_ahead(tls->ctx, 1);
  SSL_CTX_set_alpn_protos(tls->ctx, alpn, sizeof(alpn) - 1);
  SSL_CTX_set_session_cache_mode(tls->ctx, SSL_SESS_CACHE_CLIENT |
                                               SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(tls->ctx, on_new_session);
  if (config->verify) {
    SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_PEER, NULL);
    rv = load_trust(tls->ctx, config, error);
  } else {
    SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_NONE, NULL);
  }
  if (rv == 0)
    rv = load_identity(tls->ctx, config, error);
  if (rv < 0) {
    async__tls_release(tls);
    return rv;
  }
  *out = tls;
  return 0;
}

async__tls_t *async__tls_retain(async__tls_t *tls) {
  atomic_fetch_add_explicit(&tls->refs, 1, memory_order_relaxed);
  return tls;
}

void async__tls_release(async__tls_t *tls) {
  if (tls == NULL ||
      atomic_fetch_sub_explicit(&tls->refs, 1, memory_order_acq_rel) != 1)
    return;
  while (tls->sessions != NULL) {
    cached_t *next = tls->sessions->next;
    SSL_SESSION_free(tls->sessions->session);
    async__free(tls->sessions->key);
    async__free(tls->sessions);
    tls->sessions = next;
  }
  SSL_CTX_free(tls->ctx);
  pthread_mutex_destroy(&tls->mutex);
  async__free(tls);
}

static void free_key(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
                     long argl, void *argp) {
  (void)parent;
  (void)ad;
  (void)idx;
  (void)argl;
  (void)argp;
  async__free(ptr);
}

static int is_ip_literal(const char *host) {
  unsigned char buf[sizeof(struct in6_addr)];

  return inet_pton(AF_INET, host, buf) == 1 ||
         inet_pton(AF_INET6, host, buf) == 1;
}

SSL *async__tls_ssl_new(async__tls_t *tls, const char *host, int port) {
  SSL *ssl = SSL_new(tls->ctx);
  char *key = async__format("%s:%d", host, port);
  int ip = is_ip_literal(host);
  int ok;

  if (ssl == NULL || key == NULL) {
    SSL_free(ssl);
    async__free(key);
    return NULL;
  }
  SSL_set_ex_data(ssl, ex_index, key);
  ok = ip || SSL_set_tlsext_host_name(ssl, host) == 1;
  if (ok && tls->verify) {
    if (ip)
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1;
    else
      ok = SSL_set1_host(ssl, host) == 1;
  }
  if (!ok) {
    SSL_free(ssl); /* frees key too */
    return NULL;
  }
  offer_session(tls, ssl, key);
  return ssl;
}

int async__tls_attach(SSL *ssl, int fd) {
  BIO *bio = BIO_new(socket_method);

  if (bio == NULL)
    return ASYNC_ENOMEM;
  BIO_set_data(bio, (void *)(intptr_t)fd);
  SSL_set_bio(ssl, bio, bio);
  return 0;
}

int async__tls_handshake_error(SSL *ssl, int ssl_error, const char *host,
                               char **message) {
  long verify = SSL_get_verify_result(ssl);
  unsigned long e = ERR_peek_error();
  const char *reason;

  if (verify != X509_V_OK && e != 0 &&
      ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    ERR_clear_error();
    *message = async__format("server certificate rejected: %s (host %s)",
                             X509_verify_cert_error_string(verify), host);
    return ASYNC_ECERT;
  }
  if (ssl_error == SSL_ERROR_SYSCALL && e == 0)
    reason = errno != 0 ? strerror(errno)
                        : "the server closed the connection";
  else
    reason = e != 0 && ERR_reason_error_string(e) != NULL
                 ? ERR_reason_error_string(e)
                 : "unknown error";
  *message = async__format("TLS handshake with %s failed: %s", host, reason);
  ERR_clear_error();
  return ASYNC_ETLS;
}
