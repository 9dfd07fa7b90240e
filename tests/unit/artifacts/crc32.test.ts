import * as assert from 'assert';
import bufferCrc32 from 'buffer-crc32';
import { crc32 } from '../../../tasks/common/artifacts/crc32';
import { randomBytes } from './support';

describe('artifacts: CRC-32', () => {
  it(
    'the CRC-32 of zip entries agrees with the textbook CRC-32 and with the fallback for ' +
      'older Node, chained or not',
    () => {
      // Bit by bit, polynomial 0xEDB88320: independent of both zlib and buffer-crc32.
      const reference = (data: Buffer) => {
        let crc = ~0;
        for (const byte of data) {
          crc ^= byte;
          for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
        }
        return ~crc >>> 0;
      };
      const data = randomBytes(100_000, 'crc');
      assert.strictEqual(
        crc32(Buffer.from('The quick brown fox jumps over the lazy dog'), 0),
        0x414fa339,
      );
      assert.strictEqual(crc32(data, 0), reference(data));
      assert.strictEqual(
        crc32(data.subarray(50_000), crc32(data.subarray(0, 50_000), 0)),
        reference(data),
      );
      assert.strictEqual(
        bufferCrc32.unsigned(data.subarray(50_000), bufferCrc32.unsigned(data.subarray(0, 50_000))),
        reference(data),
      );
    },
  );
});
