// CRC-32 of zip entries. Node's native zlib.crc32 (Node 20.15+) is about ten times faster than
// buffer-crc32's byte-at-a-time JavaScript loop (~380 MB/s here); an agent on an older Node 20 gets
// the same values slower.
import bufferCrc32 from 'buffer-crc32';
import * as zlib from 'zlib';

export const crc32: (data: Buffer, previous: number) => number =
  typeof zlib.crc32 === 'function'
    ? (data, previous) => zlib.crc32(data, previous)
    : (data, previous) => bufferCrc32.unsigned(data, previous);
