/*
 * archive_file.h -- opening an archive on any zmm_file: how tests run the
 * core over in-memory and fault-injecting files.
 */
#ifndef ZMM_ARCHIVE_FILE_H
#define ZMM_ARCHIVE_FILE_H

#include "platform.h"
#include "zmm.h"

/*
 * As zmm_archive_open(), on an already opened file, which the archive takes
 * over (it is closed on failure too). Flags: ZMM_OPEN_WRITE, and
 * ZMM_OPEN_CREATE, which initialises an empty (0-byte) file as a new archive.
 */
zmm_result zmm_archive_open_file(zmm_file *file, unsigned flags,
                                 zmm_archive **out);
/* The same, and *os_error gets the OS error behind a failure (a full disk
 * while initialising a new archive). */
zmm_result zmm_archive_open_file_error(zmm_file *file, unsigned flags,
                                       zmm_archive **out, long *os_error);

#endif
