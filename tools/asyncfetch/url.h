/*
 * asyncfetch — the little URL handling the tool does itself. The library
 * parses and checks every URL; these only complete what the user typed
 * (as curl does) and name its parts for -v.
 */
#ifndef ASYNCFETCH_URL_H
#define ASYNCFETCH_URL_H

#include <stddef.h>

/* The URL with "http://" in front when it has no scheme, as curl guesses.
 * Returns a string to free, or NULL when memory ran out. */
char *af_url_complete(const char *url);

/*
 * A proxy as the library takes it: "http://" in front when there is no
 * scheme, and curl's default port 1080 when there is none. Returns a
 * string to free, or NULL when memory ran out.
 */
char *af_url_proxy(const char *proxy);

/*
 * The parts of an absolute URL for showing a request: whether it is
 * https, the authority without user information ("host:port") and the
 * origin-form target ("/path?query", "/" when empty). Best effort: the
 * library has the last word. Returns 0, or -1 when the URL has no "://".
 */
int af_url_parts(const char *url, int *https, char *authority,
                 size_t authority_size, char *target, size_t target_size);

#endif /* ASYNCFETCH_URL_H */
