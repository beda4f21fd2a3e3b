/* bench_crc_check.h -- see bench_crc_check.c. */
#ifndef ZMM_BENCH_CRC_CHECK_H
#define ZMM_BENCH_CRC_CHECK_H

/* 0 if the core's CRC-32 equals zlib's on every case, -1 (printed) if not. */
int bench_check_crc32(void);

#endif
