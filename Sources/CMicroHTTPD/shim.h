#ifndef FINERACT_JOBS_CMICROHTTPD_SHIM_H
#define FINERACT_JOBS_CMICROHTTPD_SHIM_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

/*
 * Fixed-argument wrappers for the parts of libmicrohttpd that Swift cannot call directly:
 * MHD_start_daemon, MHD_get_daemon_info and MHD_get_connection_info are variadic.
 * Every symbol here carries the `fj_` prefix.
 */

/// Starts a daemon whose options all come from one MHD_OPTION_ARRAY terminated by MHD_OPTION_END.
///
/// The port argument of MHD_start_daemon is passed as 0 because the caller binds through
/// MHD_OPTION_SOCK_ADDR. Returns NULL when the daemon cannot start; libmicrohttpd reports the
/// reason through MHD_OPTION_EXTERNAL_LOGGER when one is among the options.
static inline struct MHD_Daemon *_Nullable fj_mhd_start_daemon(
    unsigned int flags,
    MHD_AccessHandlerCallback _Nonnull access_handler,
    void *_Nullable access_handler_context,
    const struct MHD_OptionItem *_Nonnull options)
{
    return MHD_start_daemon(
        flags, 0, NULL, NULL, access_handler, access_handler_context, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/// An option entry that carries one integer value.
static inline struct MHD_OptionItem fj_mhd_option_integer(enum MHD_OPTION option, intptr_t value)
{
    struct MHD_OptionItem item = {option, value, NULL};
    return item;
}

/// An option entry that carries one pointer, such as MHD_OPTION_SOCK_ADDR.
static inline struct MHD_OptionItem fj_mhd_option_pointer(enum MHD_OPTION option, void *_Nullable pointer)
{
    struct MHD_OptionItem item = {option, 0, pointer};
    return item;
}

/// The MHD_OPTION_NOTIFY_COMPLETED entry; the array form wants the function pointer cast to intptr_t.
static inline struct MHD_OptionItem fj_mhd_option_completed_callback(
    MHD_RequestCompletedCallback _Nonnull callback,
    void *_Nullable context)
{
    struct MHD_OptionItem item = {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)callback, context};
    return item;
}

/// The MHD_OPTION_EXTERNAL_LOGGER entry; the array form wants the function pointer cast to intptr_t.
static inline struct MHD_OptionItem fj_mhd_option_logger(MHD_LogCallback _Nonnull callback, void *_Nullable context)
{
    struct MHD_OptionItem item = {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)callback, context};
    return item;
}

/// The entry that terminates an option array.
static inline struct MHD_OptionItem fj_mhd_option_end(void)
{
    struct MHD_OptionItem item = {MHD_OPTION_END, 0, NULL};
    return item;
}

/// The port the daemon's listening socket is bound to, or 0 when libmicrohttpd cannot tell.
static inline uint16_t fj_mhd_daemon_bound_port(struct MHD_Daemon *_Nonnull daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return (NULL == info) ? 0 : info->port;
}

/// The peer address of a connection, or NULL; the address lives as long as the connection.
static inline const struct sockaddr *_Nullable fj_mhd_connection_client_address(
    struct MHD_Connection *_Nonnull connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return (NULL == info) ? NULL : info->client_addr;
}

#endif
