import * as assert from 'assert';
import {
  AzureLocation,
  mergeTargetRegions,
  parseRegionSpecs,
  resolveRegions,
  targetRegionsFor,
} from '../../../tasks/common/gallery/regions';

const LOCATIONS: AzureLocation[] = [
  { name: 'westeurope', displayName: 'West Europe' },
  { name: 'northeurope', displayName: 'North Europe' },
  { name: 'eastus', displayName: 'East US' },
  { name: 'eastus2', displayName: 'East US 2' },
  { name: 'westus3', displayName: 'West US 3' },
];
const DEFAULTS = { replicaCount: 1, storageAccountType: 'Standard_LRS' as const };

describe('gallery: target regions', () => {
  it('parses region[=replicas][:storageAccountType]', () => {
    assert.deepStrictEqual(
      parseRegionSpecs([
        'westeurope=2:Standard_ZRS',
        'eastus',
        'northeurope:premium_lrs',
        'West US 3 = 5',
      ]),
      [
        { region: 'westeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' },
        { region: 'eastus' },
        { region: 'northeurope', storageAccountType: 'Premium_LRS' },
        { region: 'West US 3', replicaCount: 5 },
      ],
    );
  });

  it('refuses bad entries with the entry and the rule', () => {
    assert.throws(
      () => parseRegionSpecs(['westeurope=0']),
      /'westeurope=0': the replica count 0 is out of range; Azure allows 1 to 100/,
    );
    assert.throws(() => parseRegionSpecs(['westeurope=101']), /out of range/);
    assert.throws(() => parseRegionSpecs(['westeurope=two']), /'two' is not a whole number/);
    assert.throws(
      () => parseRegionSpecs(['westeurope:Standard_GRS']),
      new RegExp(
        "'Standard_GRS' is not a storage account type; use one of Standard_LRS, Standard_ZRS, " +
          'Premium_LRS',
      ),
    );
    assert.throws(() => parseRegionSpecs(['westeurope', 'West Europe=2']), /listed twice/);
    assert.throws(() => parseRegionSpecs(['=2']), /not a region entry/);
  });

  it('resolves display names and spacing to canonical names; unknown ones get suggestions', () => {
    const { resolved, unknown } = resolveRegions(
      parseRegionSpecs(['West Europe=2', 'EASTUS', 'westeurop', 'mars']),
      LOCATIONS,
    );
    assert.deepStrictEqual(
      resolved.map((r) => r.region),
      ['westeurope', 'eastus'],
    );
    assert.deepStrictEqual(unknown, [
      { given: 'westeurop', suggestions: ['westeurope'] },
      { given: 'mars', suggestions: [] },
    ]);
  });

  it('fills defaults for a new version', () => {
    assert.deepStrictEqual(
      targetRegionsFor(
        [
          { region: 'westeurope', replicaCount: 2 },
          { region: 'eastus', storageAccountType: 'Standard_ZRS' },
        ],
        DEFAULTS,
      ),
      [
        { name: 'westeurope', regionalReplicaCount: 2, storageAccountType: 'Standard_LRS' },
        { name: 'eastus', regionalReplicaCount: 1, storageAccountType: 'Standard_ZRS' },
      ],
    );
  });

  it('adds regions and replicas to an existing version, never removes, keeps storage type', () => {
    const existing = [
      {
        name: 'West Europe',
        regionalReplicaCount: 1,
        storageAccountType: 'Standard_LRS',
        excludeFromLatest: false,
      },
      { name: 'East US', regionalReplicaCount: 2, storageAccountType: 'Standard_LRS' },
    ];
    const merge = mergeTargetRegions(
      existing,
      [
        { region: 'westeurope', replicaCount: 3, storageAccountType: 'Standard_ZRS' },
        { region: 'northeurope' },
        { region: 'eastus' },
      ],
      DEFAULTS,
      LOCATIONS,
    );
    assert.deepStrictEqual(merge.targetRegions, [
      {
        name: 'westeurope',
        regionalReplicaCount: 3,
        storageAccountType: 'Standard_LRS',
        excludeFromLatest: false,
      },
      { name: 'eastus', regionalReplicaCount: 2, storageAccountType: 'Standard_LRS' },
      { name: 'northeurope', regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' },
    ]);
    assert.deepStrictEqual(merge.changes, [
      'westeurope: 1 -> 3 replicas',
      'add northeurope (1 replica, Standard_LRS)',
    ]);
    assert.match(merge.warnings[0], /westeurope keeps storage account type Standard_LRS/);
    assert.deepStrictEqual(mergeTargetRegions(existing, [], DEFAULTS, LOCATIONS).changes, []);
  });
});
