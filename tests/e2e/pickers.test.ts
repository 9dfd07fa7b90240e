import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RunningSim, startSimulator } from '../sim';
import { GALLERY, IMAGE_LINUX, UAI } from '../sim/domain/support';
import { armToken, rawRequest } from '../sim/testSupport';
import { scenario, storageAccount } from './buildImageFixtures';

/**
 * The classic editor's pickers (task.json `dataSourceBindings`), evaluated as Azure DevOps does
 * against the simulator: the endpoint URL with the connection's Resource Manager URL and
 * subscription and the other inputs' values, the JSONPath selector, then the result template.
 */
interface Binding {
  target: string;
  endpointId: string;
  dataSourceName?: string;
  endpointUrl?: string;
  resultSelector?: string;
  resultTemplate?: string;
}
interface TaskJson {
  name: string;
  inputs: { name: string; type: string; properties?: Record<string, string> }[];
  dataSourceBindings?: Binding[];
}

/** The AzureRM endpoint type's built-in data sources our bindings name. */
const BUILT_IN: Record<string, Required<Pick<Binding, 'endpointUrl' | 'resultSelector'>>> = {
  AzureResourceGroups: {
    endpointUrl:
      '{{{endpoint.url}}}subscriptions/{{{endpoint.subscriptionId}}}/resourcegroups' +
      '?api-version=2021-04-01',
    resultSelector: 'jsonpath:$.value[*].name',
  },
};

const TASKS = ['BuildImage', 'DistributeToGallery', 'UpdateHostPool', 'AttachGalleryToDevCenter'];
const taskJson = (task: string): TaskJson =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../../tasks', task, 'task.json'), 'utf8'));

const lookup = (item: unknown, key: string): string => {
  const value = key.split('.').reduce<any>((o, k) => o?.[k], item);
  assert.strictEqual(typeof value, 'string', `${key} in ${JSON.stringify(item)}`);
  return value as string;
};

describe('e2e: classic editor pickers (dataSourceBindings)', function () {
  this.timeout(60_000);
  let sim: RunningSim;
  let token: string;
  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        resources: [...(scenario().resources ?? []), storageAccount('teamart')],
      }),
    });
    token = await armToken(sim);
  });
  after(async () => sim?.stop());

  /** The picker's values for `target` of `task`, given the other inputs' values. */
  async function pick(
    task: string,
    target: string,
    inputs: Record<string, string> = {},
  ): Promise<{ Value: string; DisplayValue: string }[]> {
    const b = taskJson(task).dataSourceBindings?.find((x) => x.target === target);
    assert.ok(b, `${task} has a picker for ${target}`);
    const source = b.dataSourceName ? BUILT_IN[b.dataSourceName] : b;
    const url = (source.endpointUrl ?? '')
      .replace('{{{endpoint.url}}}', sim.info.armUrl)
      .replace('{{{endpoint.subscriptionId}}}', sim.info.subscriptionId)
      .replace(/\$\((\w+)\)/g, (_, name: string) => encodeURIComponent(inputs[name] ?? ''));
    const u = new URL(url);
    const r = await rawRequest(sim, 'GET', u.pathname + u.search, { token });
    assert.strictEqual(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    const m = /^jsonpath:\$\.value\[\*\](?:\.(\w+))?$/.exec(source.resultSelector ?? '');
    assert.ok(m, `selector ${source.resultSelector}`);
    const items = (r.body.value as unknown[]).map((x) => (m[1] ? lookup(x, m[1]) : x));
    if (!b.resultTemplate) return items.map((x) => ({ Value: x as string, DisplayValue: '' }));
    return items.map((x) =>
      JSON.parse(
        b.resultTemplate!.replace(/\{\{\{([\w.]+)\}\}\}/g, (_, k: string) => lookup(x, k)),
      ),
    );
  }
  const values = async (...a: Parameters<typeof pick>) => (await pick(...a)).map((x) => x.Value);

  it('every binding targets an editable pick list and names only inputs the task has', () => {
    for (const task of TASKS) {
      const t = taskJson(task);
      const inputs = new Map(t.inputs.map((i) => [i.name, i]));
      for (const b of t.dataSourceBindings ?? []) {
        const where = `${task} ${b.target}`;
        assert.strictEqual(inputs.get(b.target)?.type, 'pickList', where);
        assert.strictEqual(inputs.get(b.target)?.properties?.EditableOptions, 'True', where);
        const endpoint = /^\$\((\w+)\)$/.exec(b.endpointId)?.[1] ?? '';
        assert.match(inputs.get(endpoint)?.type ?? '', /^connectedService:AzureRM/, where);
        assert.ok(!b.dataSourceName || b.dataSourceName in BUILT_IN, where);
        for (const [, name] of (b.endpointUrl ?? '').matchAll(/\$\((\w+)\)/g))
          assert.ok(inputs.has(name), `${where}: $(${name})`);
      }
    }
  });

  it('BuildImage picks groups, regions, identities, image definitions, accounts', async () => {
    assert.ok((await values('BuildImage', 'resourceGroup')).includes('rg-img'));
    const regions = await pick('BuildImage', 'location');
    assert.ok(regions.some((x) => x.Value === 'westeurope' && x.DisplayValue === 'West Europe'));
    const identities = await pick('BuildImage', 'managedIdentity');
    assert.deepStrictEqual(
      identities.find((x) => x.Value === UAI),
      { Value: UAI, DisplayValue: 'aib-identity' },
    );
    const definitions = await values('BuildImage', 'galleryImageDefinitionId');
    assert.ok(definitions.includes(IMAGE_LINUX), definitions.join('\n'));
    assert.ok(!definitions.includes(GALLERY), 'only image definitions');
    assert.ok((await values('BuildImage', 'storageAccountName')).includes('teamart'));
  });

  it("DistributeToGallery picks a group's galleries and a gallery's definitions", async () => {
    assert.ok((await values('DistributeToGallery', 'galleryResourceGroup')).includes('rg-img'));
    assert.deepStrictEqual(
      await values('DistributeToGallery', 'galleryName', { galleryResourceGroup: 'rg-img' }),
      ['gal'],
    );
    assert.deepStrictEqual(
      (
        await values('DistributeToGallery', 'imageDefinition', {
          galleryResourceGroup: 'rg-img',
          galleryName: 'gal',
        })
      ).sort(),
      ['ubuntu', 'win11'],
    );
    assert.ok((await values('DistributeToGallery', 'location')).includes('westeurope'));
  });
});
