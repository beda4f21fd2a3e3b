#!/usr/bin/env python3
# rename_member.py ARCHIVE OLD NEWHEX: replaces the bytes OLD of a member name by
# the bytes NEWHEX (hex, the same length) in the newest directory, and fixes
# directory_crc and slot_crc: an archive as a writer before a name rule left
# it (docs/FORMAT.md, "Header slot"). Whole directories only (no delta record).
import struct
import sys
import zlib

p, old, new = sys.argv[1], sys.argv[2].encode(), bytes.fromhex(sys.argv[3])
assert len(old) == len(new)
d = bytearray(open(p, 'rb').read())
slots = []
for off in (0, 4096):
    s = d[off:off + 64]
    if s[:8] == b'\x89ZMM\r\n\x1a\n' and zlib.crc32(s[:60]) == struct.unpack('<I', s[60:64])[0]:
        slots.append((struct.unpack('<Q', s[24:32])[0], off))
gen, off = max(slots)
doff, dlen = struct.unpack('<QI', d[off + 32:off + 44])
i = d.index(old, doff, doff + dlen)
d[i:i + len(old)] = new
struct.pack_into('<I', d, off + 44, zlib.crc32(d[doff:doff + dlen]))
struct.pack_into('<I', d, off + 60, zlib.crc32(d[off:off + 60]))
open(p, 'wb').write(d)
