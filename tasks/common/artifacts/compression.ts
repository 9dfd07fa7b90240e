// Which files are stored rather than deflated: deflating what is already compressed costs CPU (the
// slowest part of the pipeline) and gains nothing.

/** Formats that are compressed already (archives, packages, media, fonts, Office documents). */
const COMPRESSED_EXTENSIONS = new Set([
  // archives
  'zip',
  'gz',
  'tgz',
  'bz2',
  'tbz2',
  'xz',
  'txz',
  'zst',
  'lz4',
  'lzma',
  '7z',
  'rar',
  'cab',
  'z',
  // packages and installers
  'msi',
  'msix',
  'msixbundle',
  'appx',
  'appxbundle',
  'nupkg',
  'snupkg',
  'whl',
  'egg',
  'jar',
  'war',
  'ear',
  'apk',
  'vsix',
  'crx',
  'deb',
  'rpm',
  'dmg',
  // media
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'heic',
  'avif',
  'mp3',
  'aac',
  'ogg',
  'opus',
  'flac',
  'm4a',
  'mp4',
  'm4v',
  'mkv',
  'mov',
  'avi',
  'webm',
  'wmv',
  // fonts and documents that are zip or deflate inside
  'woff',
  'woff2',
  'docx',
  'xlsx',
  'pptx',
  'odt',
  'ods',
  'odp',
  'epub',
  'pdf',
]);

export function hasCompressedExtension(archivePath: string): boolean {
  const dot = archivePath.lastIndexOf('.');
  return (
    dot > archivePath.lastIndexOf('/') &&
    COMPRESSED_EXTENSIONS.has(archivePath.slice(dot + 1).toLowerCase())
  );
}

/** Below this size deflating costs little whatever the content, so only the extension decides. */
export const SAMPLED_MIN_SIZE = 64 * 1024;
/** Order-0 entropy above which deflate saves under ~6%: random, encrypted or compressed data. */
const INCOMPRESSIBLE_BITS_PER_BYTE = 7.5;
/**
 * The sample a file's entropy is measured on: the first SAMPLE_SPAN bytes of every SAMPLE_STRIDE,
 * so large files are sampled along their whole length. Counted while the file is hashed anyway
 * (hashWorker.ts); catches compressed data under any name (installers with an embedded payload,
 * `.bin`, `.pak`) without a trial compression.
 */
export const SAMPLE_STRIDE = 1024 * 1024;
export const SAMPLE_SPAN = 16 * 1024;

/** Order-0 entropy of a byte histogram, in bits per byte. */
export function bitsPerByte(histogram: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i];
  if (total === 0) return 0;
  let bits = 0;
  for (let i = 0; i < histogram.length; i++) {
    if (histogram[i] === 0) continue;
    const p = histogram[i] / total;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * True when the file should be stored (zip method 0) rather than deflated (method 8). `bits`: the
 * sample's entropy, for files of SAMPLED_MIN_SIZE bytes and more.
 */
export function shouldStore(archivePath: string, size: number, bits: number | undefined): boolean {
  if (size === 0 || hasCompressedExtension(archivePath)) return true;
  return size >= SAMPLED_MIN_SIZE && bits !== undefined && bits >= INCOMPRESSIBLE_BITS_PER_BYTE;
}
