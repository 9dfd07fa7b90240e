// yazl computes every entry's CRC-32 with buffer-crc32: a byte-at-a-time JavaScript loop (~380 MB/s here),
// which was the largest single cost of packaging a folder. Node's native zlib.crc32 (Node 20.15+) returns the
// same values about ten times faster. yazl calls buffer-crc32 only through `unsigned(chunk, previousCrc)`, so
// that one function is pointed at zlib; on an older Node nothing changes. Same results, only faster: the tests
// check the archives' CRCs with two independent readers.
import crc32 = require('buffer-crc32');
import * as zlib from 'zlib';

export function useNativeCrc32(): void {
  if (typeof zlib.crc32 !== 'function') return;
  crc32.unsigned = (input: string | Buffer, previous?: Buffer | number) =>
    zlib.crc32(input, Buffer.isBuffer(previous) ? previous.readUInt32BE(0) : (previous ?? 0));
}
