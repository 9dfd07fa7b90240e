// Build artifacts for BuildImage: a folder as a content-addressed, private zip blob, and a
// read-only SAS for it.
export {
  artifactBlobName,
  DEFAULT_BLOCK_SIZE,
  DEFAULT_CONCURRENCY,
  DEFAULT_PREFIX,
  packageFolder,
} from './packageFolder';
export type { PackagedFolder, PackageOptions, PackageProgress } from './packageFolder';
export { userDelegationSas } from './userDelegationSas';
export { ensurePrivateContainer } from './container';
