/* error.c -- result messages and the library version. */
#include "zmm.h"

const char *zmm_version(void)
{
    return ZMM_VERSION_STRING;
}

const char *zmm_strerror(zmm_result result)
{
    switch (result) {
    case ZMM_OK: return "success";
    case ZMM_ERR_NOMEM: return "out of memory";
    case ZMM_ERR_IO: return "input/output error";
    case ZMM_ERR_NOT_FOUND: return "no such file or member";
    case ZMM_ERR_EXISTS: return "already exists";
    case ZMM_ERR_NOT_ARCHIVE: return "not a ZMM archive";
    case ZMM_ERR_CORRUPT: return "archive is damaged";
    case ZMM_ERR_UNSUPPORTED: return "made by a newer version of zmmio (unsupported format or feature)";
    case ZMM_ERR_INVALID_ARG: return "invalid argument";
    case ZMM_ERR_READ_ONLY: return "opened read-only";
    case ZMM_ERR_ACCESS: return "access denied";
    case ZMM_ERR_SHARING: return "in use by another writer (sharing violation)";
    case ZMM_ERR_LIMIT: return "over the format's size limits";
    case ZMM_ERR_BUSY: return "member is open in another stream";
    case ZMM_ERR_BAD_NAME: return "invalid member name";
    case ZMM_ERR_STATE: return "handle unusable after an earlier failure";
    case ZMM_ERR_CANCELLED: return "cancelled";
    }
    return "unknown error";
}
