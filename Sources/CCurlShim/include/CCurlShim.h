#ifndef CCURLSHIM_H
#define CCURLSHIM_H
#include <stddef.h>

/* One outbound HTTP(S) exchange through libcurl, in plain (non-variadic) C that Swift
   can call: curl_easy_setopt is variadic and cannot be imported. The policy that every
   caller gets lives here, in one place: http and https only, no redirects followed, no
   signals (threads), connect and total timeouts, a low-speed abort for long transfers. */

/* Receives response bytes (body or one header line); returns the bytes taken, and any
   other count aborts the transfer (a body over its cap, a file that cannot be written). */
typedef size_t (*mk_http_sink)(void *context, const char *data, size_t length);

struct mk_http_request {
    const char *method; /* GET, POST, PUT, DELETE, ... */
    const char *url;
    const char *const *headers; /* "Name: value" lines */
    int header_count;
    /* A raw request body (with method POST/PUT), or NULL. */
    const unsigned char *body;
    size_t body_length;
    /* multipart/form-data instead of a raw body when form_count > 0 or file_fd >= 0:
       text fields, then one file part read from `file_fd` (pread, never whole in memory). */
    const char *const *form_names;
    const char *const *form_values;
    int form_count;
    const char *file_field;
    int file_fd; /* -1: no file part */
    long long file_size;
    const char *file_name;
    const char *file_type;
    long connect_timeout_seconds;
    long timeout_seconds; /* 0: no total limit (large downloads), low-speed abort only */
};

struct mk_http_result {
    long status;    /* HTTP status, 0 when no answer came */
    int curl_code;  /* CURLE_OK (0) or the failure */
    char error[256];
};

/* Performs `request`; body bytes go to `body_sink`, header lines to `header_sink` (may be
   NULL). Returns 0 when an HTTP answer (of any status) arrived, -1 otherwise (see
   result->curl_code and result->error). Thread-safe; initialises libcurl once. */
int mk_http_perform(const struct mk_http_request *request, mk_http_sink body_sink, mk_http_sink header_sink,
                    void *context, struct mk_http_result *result);

/* CURLE_ABORTED_BY_CALLBACK / CURLE_WRITE_ERROR, CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT... */
int mk_http_code_write_error(void);
int mk_http_code_timed_out(void);

/* One mail submission over SMTP, the only other protocol the shim speaks, and only
   through this function: `url` is smtp://host:port (plain, or upgraded with STARTTLS
   when `require_tls` is 1: a server that does not offer it is refused, never sent in
   clear) or smtps://host:port (TLS from the first byte). Certificates are verified.
   `message` is the whole RFC 5322 message (headers, blank line, body, CRLF lines). */
struct mk_smtp_request {
    const char *url;
    const char *username; /* NULL or "": no AUTH */
    const char *password;
    const char *from;
    const char *const *recipients;
    int recipient_count;
    const unsigned char *message;
    size_t message_length;
    int require_tls;
    long connect_timeout_seconds;
    long timeout_seconds;
};

/* Returns 0 when the server accepted the message, -1 otherwise (result->status holds the
   last SMTP reply code, result->error libcurl's text, which names no password). */
int mk_smtp_send(const struct mk_smtp_request *request, struct mk_http_result *result);

#endif
