/**
 * ARM's two deterministic naming functions, computed as Azure Resource Manager computes them, so a
 * template that names things with them builds what its author meant:
 * - `uniqueString(a, b, ...)`: the arguments joined with '-', UTF-8, hashed to 64 bits with the
 *   MurmurHash64 variant of Microsoft's ResourceStack library, written as 13 characters of base32
 *   (a-z, 2-7).
 * - `guid(a, b, ...)`: a name-based (version 5, SHA-1) UUID of the arguments joined with '-', in
 *   ARM's namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830 (RFC 4122 §4.3, which ARM's documentation
 *   names as its algorithm).
 */
import { createHash } from 'crypto';

const GUID_NAMESPACE = Buffer.from('11fb06fb712d4ddd98c7e71bbd588830', 'hex');
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

const C1 = 0xab0e9789;
const C2 = 0x239b961b;
const FINAL1 = 0x85ebca6b;
const FINAL2 = 0xc2b2ae35;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const fmix = (h: number) => {
  h = mul(h ^ (h >>> 16), FINAL1);
  h = mul(h ^ (h >>> 13), FINAL2);
  return (h ^ (h >>> 16)) >>> 0;
};
/** Little-endian word of up to 4 bytes from `at` (fewer at the end of the input). */
const word = (b: Buffer, at: number, n: number) => {
  let w = 0;
  for (let i = n - 1; i >= 0; i--) w = ((w << 8) | b[at + i]) >>> 0;
  return w;
};

/** The 64-bit hash behind uniqueString(), as [high, low] 32-bit halves. */
function murmur64(data: Buffer): [number, number] {
  let h1 = 0;
  let h2 = 0;
  let at = 0;
  for (; at + 8 <= data.length; at += 8) {
    const k1 = mul(rotl(mul(word(data, at, 4), C2), 15), C1);
    const k2 = mul(rotl(mul(word(data, at + 4, 4), C1), 17), C2);
    h1 = (mul((rotl(h1 ^ k1, 19) + h2) >>> 0, 5) + 0x561ccd1b) >>> 0;
    h2 = (mul((rotl(h2 ^ k2, 13) + h1) >>> 0, 5) + 0x0bcaa747) >>> 0;
  }
  const rest = data.length - at;
  if (rest > 0) {
    h1 = (h1 ^ mul(rotl(mul(word(data, at, Math.min(rest, 4)), C2), 15), C1)) >>> 0;
    if (rest > 4) h2 = (h2 ^ mul(rotl(mul(word(data, at + 4, rest - 4), C1), 17), C2)) >>> 0;
  }
  h2 = (h2 ^ data.length) >>> 0;
  h1 = (((h1 ^ data.length) >>> 0) + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return [h2, h1];
}

export function uniqueString(args: string[]): string {
  const [high, low] = murmur64(Buffer.from(args.join('-'), 'utf8'));
  let h = (BigInt(high) << 32n) | BigInt(low);
  let out = '';
  for (let i = 0; i < 13; i++) {
    out += BASE32[Number((h >> 59n) & 31n)];
    h = (h << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

export function guid(args: string[]): string {
  const hash = createHash('sha1')
    .update(GUID_NAMESPACE)
    .update(Buffer.from(args.join('-'), 'utf8'))
    .digest()
    .subarray(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}
