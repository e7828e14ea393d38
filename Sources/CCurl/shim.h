#ifndef FINERACT_JOBS_CCURL_SHIM_H
#define FINERACT_JOBS_CCURL_SHIM_H

#include <curl/curl.h>

/// curl_easy_setopt is variadic, which Swift cannot call; these typed wrappers cover the option kinds we use.
static inline CURLcode fj_curl_easy_setopt_long(CURL *_Nonnull handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode fj_curl_easy_setopt_off_t(CURL *_Nonnull handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode fj_curl_easy_setopt_string(CURL *_Nonnull handle, CURLoption option,
                                                  const char *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode fj_curl_easy_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode fj_curl_easy_setopt_slist(CURL *_Nonnull handle, CURLoption option,
                                                 struct curl_slist *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

/// Function pointers get wrappers of their own: passing one through `void *` is not portable C.
static inline CURLcode fj_curl_easy_setopt_write_function(CURL *_Nonnull handle, curl_write_callback _Nonnull function) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, function);
}

static inline CURLcode fj_curl_easy_setopt_read_function(CURL *_Nonnull handle, curl_read_callback _Nonnull function) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, function);
}

static inline CURLcode fj_curl_easy_setopt_xferinfo_function(CURL *_Nonnull handle,
                                                             curl_xferinfo_callback _Nonnull function) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, function);
}

static inline CURLcode fj_curl_easy_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
