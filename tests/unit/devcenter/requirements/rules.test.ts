import * as assert from 'assert';
import {
  checkImages,
  problemLines,
  reportTable,
} from '../../../../tasks/common/devcenter/requirements/report';
import {
  ImageFacts,
  RULES,
  RuleContext,
} from '../../../../tasks/common/devcenter/requirements/rules';

/** A Windows 11 Enterprise image Dev Box takes, replicated to westeurope. */
function image(over: Partial<ImageFacts> = {}, version: Partial<ImageFacts['version']> = {}) {
  return {
    name: 'win11-devbox',
    osType: 'Windows',
    osState: 'Generalized',
    hyperVGeneration: 'V2',
    features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
    identifier: { publisher: 'contoso', offer: 'windows-11', sku: 'win11-24h2-ent' },
    version: {
      name: '1.0.0',
      regions: ['West Europe'],
      osDiskSizeGB: 64,
      dataDisks: 0,
      encryptionSets: [],
      ...version,
    },
    ...over,
  } as ImageFacts;
}

const CTX: RuleContext = {
  regions: [{ region: 'westeurope', why: 'dev center dc-main' }],
  hibernate: false,
};
const rule = (id: string, i: ImageFacts, ctx = CTX) =>
  RULES.find((r) => r.id === id)!.check(i, ctx);
const states = (i: ImageFacts, ctx = CTX) =>
  Object.fromEntries(RULES.map((r) => [r.id, r.check(i, ctx)?.state ?? '-']));

describe('devcenter/requirements: rules', () => {
  it('a Windows 11 Enterprise Trusted launch Gen2 image in the region passes every rule', () => {
    assert.deepStrictEqual(states(image()), {
      windows: 'pass',
      'hyperv-v2': 'pass',
      'trusted-launch': 'pass',
      generalized: 'pass',
      edition: 'pass',
      'os-disk-64gb': 'pass',
      'no-data-disks': 'pass',
      'no-cmk': 'pass',
      hibernation: '-',
      regions: 'pass',
    });
  });

  it('Gen1 (or no generation) fails: "Hyper-V generation V1; Dev Box needs V2"', () => {
    const row = checkImages([image({ name: 'legacy-gen1', hyperVGeneration: undefined })], CTX)
      .rows[0];
    assert.deepStrictEqual(problemLines(row, 'fail'), [
      'legacy-gen1: Hyper-V generation V1; Dev Box needs V2',
    ]);
    assert.strictEqual(row.qualifies, false);
  });

  it('Linux, specialized and Standard security each fail', () => {
    assert.strictEqual(rule('windows', image({ osType: 'Linux' }))?.state, 'fail');
    assert.strictEqual(rule('generalized', image({ osState: 'Specialized' }))?.state, 'fail');
    assert.match(rule('trusted-launch', image({ features: [] }))!.finding, /Standard/);
  });

  it('edition: avd, evd, multi-session fail as multi-session; N, LTSC fail; no sign warns', () => {
    const edition = (offer: string, sku: string) =>
      rule('edition', image({ identifier: { offer, sku } }));
    for (const [offer, sku] of [
      ['windows-11', 'win11-24h2-avd'],
      ['windows-10', 'win10-22h2-evd'],
      ['office-365', 'win11-multi-session'],
    ])
      assert.match(edition(offer, sku)!.finding, /is multi-session$/, `${offer}/${sku}`);
    assert.match(edition('windows-10', 'win10-21h2-entn')!.finding, /N edition/);
    assert.match(edition('windows-10', 'win10-22h2-ent-ltsc2021')!.finding, /LTSC/);
    assert.match(edition('WindowsServer', '2022-datacenter')!.finding, /Server/);
    assert.strictEqual(edition('windows-11', 'win11-24h2-ent')?.state, 'pass');
    assert.strictEqual(edition('golden', 'gen2')?.state, 'warn');
  });

  it('an OS disk other than 64 GB warns; an unknown size is not judged', () => {
    assert.strictEqual(rule('os-disk-64gb', image({}, { osDiskSizeGB: 127 }))?.state, 'warn');
    assert.strictEqual(rule('os-disk-64gb', image({}, { osDiskSizeGB: undefined })), undefined);
  });

  it('data disks and customer-managed keys fail', () => {
    assert.strictEqual(rule('no-data-disks', image({}, { dataDisks: 1 }))?.state, 'fail');
    const des =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des-1';
    assert.match(
      rule('no-cmk', image({}, { encryptionSets: [des] }))!.finding,
      /disk encryption set des-1/,
    );
  });

  it('hibernation asked needs IsHibernateSupported', () => {
    const ctx = { ...CTX, hibernate: true };
    assert.strictEqual(rule('hibernation', image(), ctx)?.state, 'fail');
    const features = [
      { name: 'SecurityType', value: 'TrustedLaunch' },
      { name: 'IsHibernateSupported', value: 'True' },
    ];
    assert.strictEqual(rule('hibernation', image({ features }), ctx)?.state, 'pass');
  });

  it('regions: each missing region is named with why, and the replicate step that adds it', () => {
    const ctx: RuleContext = {
      hibernate: false,
      regions: [
        { region: 'westeurope', why: 'dev center dc-main' },
        { region: 'northeurope', why: 'network connection nc-north' },
        { region: 'swedencentral', why: 'pool p1/pool-a' },
      ],
    };
    const r = rule('regions', image(), ctx)!;
    assert.strictEqual(r.state, 'fail');
    assert.strictEqual(
      r.finding,
      'version 1.0.0 is not replicated to northeurope (network connection nc-north), ' +
        'swedencentral (pool p1/pool-a)',
    );
    assert.match(
      r.why!,
      new RegExp(
        'DistributeToGallery step: action: replicate, imageDefinition: win11-devbox, ' +
          'version: 1\\.0\\.0, targetRegions: ' +
          'West Europe, northeurope, swedencentral$',
      ),
    );
    assert.match(rule('regions', image({ version: undefined }))!.finding, /no image version/);
  });

  it('the summary table has a row per image and a column per rule', () => {
    const report = checkImages(
      [image(), image({ name: 'legacy-gen1', hyperVGeneration: 'V1' })],
      CTX,
    );
    const table = reportTable(report).split('\n');
    assert.strictEqual(table.length, 4);
    assert.match(table[0], /^\| Image \| Version \| Windows \| Hyper-V V2 \|/);
    assert.match(
      table[3],
      /^\| legacy-gen1 \| 1\.0\.0 \| ✅ pass \| ❌ fail: Hyper-V generation V1 \|/,
    );
  });
});
