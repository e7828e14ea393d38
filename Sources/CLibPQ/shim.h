#ifndef FINERACT_JOBS_CLIBPQ_SHIM_H
#define FINERACT_JOBS_CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <poll.h>

/// The diagnostic field codes are character-literal macros, which Swift does not import.
static const int fj_pg_diag_severity = PG_DIAG_SEVERITY_NONLOCALIZED;
static const int fj_pg_diag_sqlstate = PG_DIAG_SQLSTATE;
static const int fj_pg_diag_message_primary = PG_DIAG_MESSAGE_PRIMARY;
static const int fj_pg_diag_message_detail = PG_DIAG_MESSAGE_DETAIL;
static const int fj_pg_diag_message_hint = PG_DIAG_MESSAGE_HINT;
static const int fj_pg_diag_constraint_name = PG_DIAG_CONSTRAINT_NAME;
static const int fj_pg_diag_column_name = PG_DIAG_COLUMN_NAME;

#endif
