/**
 * The demo's last step: UpdateHostPool rolls the staging AVD host pool onto the version the
 * pipeline just published. The demo world gains that pool: two Entra-joined hosts running last
 * month's production image (a version of the production gallery's definition), one user signed in,
 * a scaling plan.
 */
import type { Step } from './step';
import { hostsWithVms, imageOf, PoolWorld, rgId, same } from '../../tests/e2e/hostPoolFixtures';

const IMAGES_RG = rgId('rg-golden-images');
const PRODUCTION_GALLERY = `${IMAGES_RG}/providers/Microsoft.Compute/galleries/gal_production`;
const DEFINITION = `${PRODUCTION_GALLERY}/images/win11-avd`;
/** Last month's production image, which the staging hosts run. */
const RUNNING = `${DEFINITION}/versions/2026.1031.1`;

const STAGING = new PoolWorld({
  key: 'avd-staging',
  hosts: 2,
  trustedLaunch: false,
  image: RUNNING,
  sessions: [{ host: 0, user: 'ada@contoso.com', endsMinutesAfterMessage: 1 }],
});

/**
 * The staging pool, and the production gallery's definition with the version the pool's hosts run
 * (the demo's DistributeToGallery step publishes the next one into it).
 */
export function stagingPoolResources(): Record<string, unknown>[] {
  return [
    {
      id: PRODUCTION_GALLERY,
      type: 'Microsoft.Compute/galleries',
      location: 'westeurope',
      properties: {},
    },
    {
      id: DEFINITION,
      type: 'Microsoft.Compute/galleries/images',
      location: 'westeurope',
      properties: {
        osType: 'Windows',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: 'win11-avd', sku: '24h2' },
      },
    },
    {
      id: RUNNING,
      type: 'Microsoft.Compute/galleries/images/versions',
      location: 'westeurope',
      properties: {
        publishingProfile: { targetRegions: [{ name: 'westeurope' }, { name: 'northeurope' }] },
        storageProfile: { source: { id: `${IMAGES_RG}/providers/Microsoft.Compute/images/old` } },
      },
    },
    ...STAGING.resources(),
  ];
}

/** The step, in the shape of the demo's pipeline steps. */
export function hostPoolStep(): Step {
  return {
    name: 'avd',
    title: 'Roll the staging AVD host pool',
    task: 'UpdateHostPool',
    auth: 'msi',
    inputs: (o) =>
      STAGING.inputs({
        image: o.distribute.imageVersionId,
        batchSize: '1',
        drainTimeout: '5s',
        healthTimeout: '2m',
      }),
    verify: (state, out) => {
      const hosts = hostsWithVms(state, STAGING);
      const target = out.imageVersionId ?? '';
      const behind = hosts.filter(
        ({ host, vm }) =>
          (host.properties as { status?: string } | undefined)?.status !== 'Available' ||
          !vm ||
          !same(imageOf(vm), target),
      );
      if (hosts.length !== 2) return `the staging pool has ${hosts.length} hosts, not 2`;
      return behind.length
        ? `${behind.map((h) => h.host.name).join(', ')} not Available on ${target}`
        : undefined;
    },
  };
}
