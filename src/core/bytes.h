/*
 * bytes.h -- little-endian loads and stores. The format is little-endian on
 * every host; byte-wise access keeps the code free of alignment and
 * endianness assumptions (compilers turn these into single moves).
 */
#ifndef ZMM_BYTES_H
#define ZMM_BYTES_H

#include <stdint.h>

static inline uint16_t zmm_load16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t zmm_load32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t zmm_load64(const unsigned char *p)
{
    return (uint64_t)zmm_load32(p) | ((uint64_t)zmm_load32(p + 4) << 32);
}

static inline void zmm_store16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static inline void zmm_store32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static inline void zmm_store64(unsigned char *p, uint64_t v)
{
    zmm_store32(p, (uint32_t)v);
    zmm_store32(p + 4, (uint32_t)(v >> 32));
}

#endif
