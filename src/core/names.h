/*
 * names.h -- the reader's rule for member names (the writer's is
 * zmm_name_is_valid in zmm.h).
 */
#ifndef ZMM_NAMES_H
#define ZMM_NAMES_H

/* Nonzero for 1..255 bytes without control bytes (< 0x20, 0x7f): what a
 * directory may hold. Names written before the UTF-8 rule (issue 14) may be
 * storable but not valid: they are listed, not unpacked or created. */
int zmm_name_is_storable(const char *name);

#endif
