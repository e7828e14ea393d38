#ifndef FINERACT_JOBS_CLIBPQ_SHIM_H
#define FINERACT_JOBS_CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <poll.h>

#endif
