#include "CCurlShim.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* libcurl is opened on the first outbound exchange, not linked: it brings a dozen
   libraries (GnuTLS, Kerberos, LDAP, SSH, ...) that would take about 3.5 MiB of every
   pool worker's memory, while only a few requests (document backends, SSO, webhooks,
   mail) ever talk to another server. The headers still give the types and constants. */
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    void (*easy_cleanup)(CURL *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    curl_mime *(*mime_init)(CURL *);
    curl_mimepart *(*mime_addpart)(curl_mime *);
    CURLcode (*mime_name)(curl_mimepart *, const char *);
    CURLcode (*mime_data)(curl_mimepart *, const char *, size_t);
    CURLcode (*mime_filename)(curl_mimepart *, const char *);
    CURLcode (*mime_type)(curl_mimepart *, const char *);
    CURLcode (*mime_data_cb)(curl_mimepart *, curl_off_t, curl_read_callback, curl_seek_callback,
                             curl_free_callback, void *);
    void (*mime_free)(curl_mime *);
} lib;
static char load_error[200];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

#define LOAD(field, symbol)                                                                  \
    if (!(*(void **)&lib.field = dlsym(library, #symbol))) {                              \
        snprintf(load_error, sizeof load_error, "libcurl lacks %s", #symbol);              \
        return;                                                                            \
    }

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error, "cannot load libcurl.so.4: %s", dlerror());
        return;
    }
    LOAD(easy_init, curl_easy_init) LOAD(easy_setopt, curl_easy_setopt) LOAD(easy_perform, curl_easy_perform)
    LOAD(easy_getinfo, curl_easy_getinfo) LOAD(easy_strerror, curl_easy_strerror)
    LOAD(easy_cleanup, curl_easy_cleanup) LOAD(slist_append, curl_slist_append)
    LOAD(slist_free_all, curl_slist_free_all) LOAD(mime_init, curl_mime_init) LOAD(mime_addpart, curl_mime_addpart)
    LOAD(mime_name, curl_mime_name) LOAD(mime_data, curl_mime_data) LOAD(mime_filename, curl_mime_filename)
    LOAD(mime_type, curl_mime_type) LOAD(mime_data_cb, curl_mime_data_cb) LOAD(mime_free, curl_mime_free)
    LOAD(global_init, curl_global_init)
    lib.global_init(CURL_GLOBAL_DEFAULT);
}

/* Loads libcurl once; 0 when it is there, else -1 with the reason in `result`. */
static int ready(struct mk_http_result *result) {
    pthread_once(&load_once, load);
    if (lib.global_init) return 0;
    result->curl_code = CURLE_FAILED_INIT;
    snprintf(result->error, sizeof result->error, "%s", load_error);
    return -1;
}

/* curl.h defines these two as macros (a pass-through without the type check). */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_init lib.easy_init
#define curl_easy_setopt lib.easy_setopt
#define curl_easy_perform lib.easy_perform
#define curl_easy_getinfo lib.easy_getinfo
#define curl_easy_strerror lib.easy_strerror
#define curl_easy_cleanup lib.easy_cleanup
#define curl_slist_append lib.slist_append
#define curl_slist_free_all lib.slist_free_all
#define curl_mime_init lib.mime_init
#define curl_mime_addpart lib.mime_addpart
#define curl_mime_name lib.mime_name
#define curl_mime_data lib.mime_data
#define curl_mime_filename lib.mime_filename
#define curl_mime_type lib.mime_type
#define curl_mime_data_cb lib.mime_data_cb
#define curl_mime_free lib.mime_free

/* A fresh result and an easy handle, libcurl loaded first; NULL with the reason in
   `result` when it cannot be had. */
static CURL *start(struct mk_http_result *result) {
    memset(result, 0, sizeof *result);
    if (ready(result) != 0) return NULL;
    CURL *curl = curl_easy_init();
    if (!curl) {
        result->curl_code = CURLE_FAILED_INIT;
        snprintf(result->error, sizeof result->error, "cannot start libcurl");
    }
    return curl;
}

/* Runs the exchange and fills `result`: libcurl's code, the server's status, and an
   error message when libcurl gave none of its own. */
static CURLcode perform(CURL *curl, struct mk_http_result *result) {
    CURLcode code = curl_easy_perform(curl);
    result->curl_code = (int)code;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result->status);
    if (code != CURLE_OK && result->error[0] == 0)
        snprintf(result->error, sizeof result->error, "%s", curl_easy_strerror(code));
    return code;
}

struct sinks {
    mk_http_sink body;
    mk_http_sink header;
    void *context;
};

static size_t on_body(char *data, size_t size, size_t count, void *user) {
    struct sinks *sinks = user;
    return sinks->body(sinks->context, data, size * count);
}

static size_t on_header(char *data, size_t size, size_t count, void *user) {
    struct sinks *sinks = user;
    if (!sinks->header) return size * count;
    return sinks->header(sinks->context, data, size * count);
}

struct file_source {
    int fd;
    long long offset;
};

static size_t read_file(char *buffer, size_t size, size_t count, void *user) {
    struct file_source *source = user;
    for (;;) {
        ssize_t got = pread(source->fd, buffer, size * count, (off_t)source->offset);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return CURL_READFUNC_ABORT;
        source->offset += got;
        return (size_t)got;
    }
}

static int seek_file(void *user, curl_off_t offset, int origin) {
    struct file_source *source = user;
    if (origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
    source->offset = offset;
    return CURL_SEEKFUNC_OK;
}

int mk_http_code_write_error(void) { return CURLE_WRITE_ERROR; }
int mk_http_code_timed_out(void) { return CURLE_OPERATION_TIMEDOUT; }

int mk_http_perform(const struct mk_http_request *request, mk_http_sink body_sink, mk_http_sink header_sink,
                    void *context, struct mk_http_result *result) {
    CURL *curl = start(result);
    if (!curl) return -1;
    struct sinks sinks = {body_sink, header_sink, context};
    struct file_source source = {request->file_fd, 0};
    struct curl_slist *headers = NULL;
    curl_mime *mime = NULL;

    curl_easy_setopt(curl, CURLOPT_URL, request->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, result->error);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, request->connect_timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, request->timeout_seconds);
    /* A stalled transfer ends even without a total limit: under 1 kB/s for 30 s. */
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "MediKeep-FCGI");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sinks);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sinks);

    for (int i = 0; i < request->header_count; i++) headers = curl_slist_append(headers, request->headers[i]);
    /* No "Expect: 100-continue" round trip before a body. */
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

    if (request->form_count > 0 || request->file_fd >= 0) {
        mime = curl_mime_init(curl);
        for (int i = 0; i < request->form_count; i++) {
            curl_mimepart *part = curl_mime_addpart(mime);
            curl_mime_name(part, request->form_names[i]);
            curl_mime_data(part, request->form_values[i], CURL_ZERO_TERMINATED);
        }
        if (request->file_fd >= 0) {
            curl_mimepart *part = curl_mime_addpart(mime);
            curl_mime_name(part, request->file_field ? request->file_field : "file");
            curl_mime_filename(part, request->file_name ? request->file_name : "file");
            if (request->file_type) curl_mime_type(part, request->file_type);
            curl_mime_data_cb(part, (curl_off_t)request->file_size, read_file, seek_file, NULL, &source);
        }
        curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    } else if (request->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)request->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
    }
    if (strcmp(request->method, "GET") == 0 && !mime && !request->body) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(request->method, "POST") != 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request->method);
    }

    CURLcode code = perform(curl, result);

    curl_easy_cleanup(curl);
    curl_mime_free(mime);
    curl_slist_free_all(headers);
    return code == CURLE_OK ? 0 : -1;
}

struct message_source {
    const unsigned char *bytes;
    size_t length;
    size_t offset;
};

static size_t read_message(char *buffer, size_t size, size_t count, void *user) {
    struct message_source *source = user;
    size_t left = source->length - source->offset;
    size_t take = size * count < left ? size * count : left;
    memcpy(buffer, source->bytes + source->offset, take);
    source->offset += take;
    return take;
}

int mk_smtp_send(const struct mk_smtp_request *request, struct mk_http_result *result) {
    CURL *curl = start(result);
    if (!curl) return -1;
    struct message_source source = {request->message, request->message_length, 0};
    struct curl_slist *recipients = NULL;
    for (int i = 0; i < request->recipient_count; i++) recipients = curl_slist_append(recipients, request->recipients[i]);

    curl_easy_setopt(curl, CURLOPT_URL, request->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, result->error);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, request->connect_timeout_seconds);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, request->timeout_seconds);
    if (request->require_tls) curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (request->username && request->username[0]) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, request->username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, request->password ? request->password : "");
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, request->from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(curl, CURLOPT_READDATA, &source);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)request->message_length);

    CURLcode code = perform(curl, result);
    curl_easy_cleanup(curl);
    curl_slist_free_all(recipients);
    return code == CURLE_OK ? 0 : -1;
}
