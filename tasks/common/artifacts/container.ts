import type { ContainerClient } from '@azure/storage-blob';

/**
 * Makes sure the artifacts container exists and is private: created without public access when
 * missing, refused when it exists with public access (build artifacts may hold installers and
 * configuration that are not meant for anyone with the URL).
 */
export async function ensurePrivateContainer(
  container: ContainerClient,
  signal?: AbortSignal,
): Promise<'created' | 'existing'> {
  try {
    const props = await container.getProperties({ abortSignal: signal });
    if (props.blobPublicAccess) {
      throw new Error(
        `The artifacts container '${container.containerName}' allows anonymous public ` +
          `access ('${props.blobPublicAccess}'); build artifacts go only to a private ` +
          `container. Remove its public access or name another container.`,
      );
    }
    return 'existing';
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  try {
    await container.create({ abortSignal: signal }); // no `access` option: private
    return 'created';
  } catch (err) {
    // Another run created it between the two calls.
    if ((err as { code?: string }).code === 'ContainerAlreadyExists') return 'existing';
    throw err;
  }
}
