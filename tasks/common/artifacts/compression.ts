// Which files are stored rather than deflated: deflating what is already compressed costs CPU (the slowest
// part of the pipeline) and gains nothing.

/** Formats that are compressed already (archives, packages, media, fonts, Office documents). */
const COMPRESSED_EXTENSIONS = new Set([
  // archives
  'zip', 'gz', 'tgz', 'bz2', 'tbz2', 'xz', 'txz', 'zst', 'lz4', 'lzma', '7z', 'rar', 'cab', 'z',
  // packages and installers
  'msi', 'msix', 'msixbundle', 'appx', 'appxbundle', 'nupkg', 'snupkg', 'whl', 'egg', 'jar', 'war', 'ear',
  'apk', 'vsix', 'crx', 'deb', 'rpm', 'dmg',
  // media
  'png', 'jpg', 'jpeg', 'gif', 'webp', 'heic', 'avif', 'mp3', 'aac', 'ogg', 'opus', 'flac', 'm4a',
  'mp4', 'm4v', 'mkv', 'mov', 'avi', 'webm', 'wmv',
  // fonts and documents that are zip or deflate inside
  'woff', 'woff2', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'pdf',
]);

export function hasCompressedExtension(archivePath: string): boolean {
  const dot = archivePath.lastIndexOf('.');
  return dot > archivePath.lastIndexOf('/') && COMPRESSED_EXTENSIONS.has(archivePath.slice(dot + 1).toLowerCase());
}

/** Below this size deflating costs little whatever the content, so only the extension decides. */
export const SAMPLED_MIN_SIZE = 64 * 1024;
/** Order-0 entropy above which deflate saves under ~6%: random, encrypted or compressed data. */
const INCOMPRESSIBLE_BITS_PER_BYTE = 7.5;
/** Bytes counted from each chunk read, so large files are sampled along their whole length. */
const SAMPLE_PER_CHUNK = 16 * 1024;

/**
 * Byte histogram over samples of a file, read while the file is hashed anyway. Catches compressed data
 * under any name (installers with an embedded payload, `.bin`, `.pak`) without a trial compression.
 */
export class EntropySampler {
  private readonly counts = new Uint32Array(256);
  private total = 0;

  add(chunk: Buffer): void {
    const n = Math.min(chunk.length, SAMPLE_PER_CHUNK);
    for (let i = 0; i < n; i++) this.counts[chunk[i]]++;
    this.total += n;
  }

  bitsPerByte(): number {
    if (this.total === 0) return 0;
    let bits = 0;
    for (const c of this.counts) {
      if (c === 0) continue;
      const p = c / this.total;
      bits -= p * Math.log2(p);
    }
    return bits;
  }
}

/** True when the file should be stored (zip method 0) rather than deflated (method 8). */
export function shouldStore(archivePath: string, size: number, sampler: EntropySampler | undefined): boolean {
  if (size === 0 || hasCompressedExtension(archivePath)) return true;
  return size >= SAMPLED_MIN_SIZE && !!sampler && sampler.bitsPerByte() >= INCOMPRESSIBLE_BITS_PER_BYTE;
}
