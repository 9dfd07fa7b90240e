// The pure parts of UpdateHostPool's Automated path (automated/): inputs to Azure's update
// settings and their limits, the image checks, status classification and the refusal texts, the
// start-or-follow decision, the plan, and the outputs from hosts before and after.
import * as assert from 'assert';
import { InputReader } from '../../../tasks/common/core/inputReader';
import { UpdateStatus } from '../../../tasks/common/hostpool/automated/api';
import { cancelMessageOf } from '../../../tasks/common/hostpool/automated/control';
import { automatedResult } from '../../../tasks/common/hostpool/automated/outcome';
import { automatedPlanText } from '../../../tasks/common/hostpool/automated/plan';
import {
  checkImageForPool,
  ignoredInputsWarning,
  updateSettingsOf,
} from '../../../tasks/common/hostpool/automated/settings';
import { decideStart } from '../../../tasks/common/hostpool/automated/start';
import {
  describeProgress,
  isActive,
  phaseOf,
  settledFailure,
} from '../../../tasks/common/hostpool/automated/status';
import { readUpdateHostPoolParams } from '../../../tasks/common/hostpool/params';
import { HostState, TargetImage } from '../../../tasks/common/hostpool/state';
import { PIPELINE } from '../../support/pipelineInfo';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const DEF = `${SUB}/resourceGroups/rg-img/providers/Microsoft.Compute/galleries/g/images/win11`;
const V100 = `${DEF}/versions/1.0.0`;
const V101 = `${DEF}/versions/1.0.1`;

const params = (values: Record<string, string>) =>
  readUpdateHostPoolParams(
    new InputReader({
      get: (n) => ({ hostPool: 'hp', resourceGroup: 'rg', image: V101, ...values })[n] || undefined,
      secret: () => undefined,
    }),
  );
const inputError = (input: string, message: RegExp) => (err: Error) =>
  err.name === 'InputError' &&
  err.message.startsWith(`Input '${input}'`) &&
  message.test(err.message);

const target: TargetImage = {
  versionId: V101,
  definitionId: DEF,
  version: '1.0.1',
  osType: 'Windows',
  hyperVGeneration: 'V2',
  regions: ['westeurope'],
};
const host = (name: string, image: string, vm = name): HostState => ({
  name,
  status: 'Available',
  allowNewSession: true,
  sessions: 0,
  vm: {
    id: `${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${vm}`,
    subscriptionId: SUB.split('/')[2],
    resourceGroup: 'rg',
    name: vm,
    location: 'westeurope',
    zones: [],
    imageVersionId: image,
    tags: {},
    parts: { nics: [], disks: [] },
  },
});
const status = (s: string, extra: Partial<UpdateStatus> = {}): UpdateStatus => ({
  status: s,
  ...extra,
});

describe('host pool, Automated: settings for Azure’s session host update', () => {
  it('only what the run gives goes in the update body; no input means no setting', () => {
    const none = params({});
    assert.deepStrictEqual(none.sessionHostUpdate, {
      batchSize: undefined,
      drainTimeoutMs: undefined,
      logOffMessage: undefined,
      oldHosts: undefined,
      ignored: [],
    });
    assert.deepStrictEqual(updateSettingsOf(none.sessionHostUpdate), {});
    // The Standard path keeps its documented defaults in code.
    assert.deepStrictEqual(
      [none.batchSize, none.drainTimeoutMs, none.oldHosts],
      [1, 60 * 60_000, 'delete'],
    );
    assert.match(none.logOffMessage, /being replaced/);
    // logOffWarning at its default fits a shorter drain; given longer, it is refused as before.
    assert.strictEqual(params({ drainTimeout: '2m' }).logOffWarningMs, 2 * 60_000);
    assert.strictEqual(
      params({ drainTimeout: '2m', logOffWarning: '5m' }).logOffWarningMs,
      120_000,
    );
    assert.throws(
      () => params({ drainTimeout: '2m', logOffWarning: '3m' }),
      inputError('logOffWarning', /longer than drainTimeout/),
    );
    const given = params({
      batchSize: '2',
      drainTimeout: '15m',
      logOffMessage: 'Sign out, please',
      oldHosts: 'deallocate',
    });
    assert.deepStrictEqual(updateSettingsOf(given.sessionHostUpdate), {
      maxVmsRemoved: 2,
      logOffDelayMinutes: 15,
      logOffMessage: 'Sign out, please',
      deleteOriginalVm: false,
    });
    assert.deepStrictEqual(updateSettingsOf(params({ oldHosts: 'delete' }).sessionHostUpdate), {
      deleteOriginalVm: true,
    });
    assert.deepStrictEqual(updateSettingsOf(params({ drainTimeout: '0' }).sessionHostUpdate), {
      logOffDelayMinutes: 0,
    });
  });

  it('refuses a drain timeout over 60 minutes or not in whole minutes, a long message', () => {
    const settings = (values: Record<string, string>) => () =>
      updateSettingsOf(params(values).sessionHostUpdate);
    assert.throws(
      settings({ drainTimeout: '61m' }),
      inputError('drainTimeout', /1h 1m is longer than the 60 minutes.*from 0 to 60/),
    );
    assert.throws(
      settings({ drainTimeout: '90s' }),
      inputError('drainTimeout', /not a whole number of minutes/),
    );
    assert.doesNotThrow(settings({ drainTimeout: '1h' }));
    assert.throws(
      settings({ logOffMessage: 'x'.repeat(261) }),
      inputError('logOffMessage', /261 characters.*up to 260/),
    );
  });

  it('names once the inputs set that Azure’s update decides for itself', () => {
    assert.deepStrictEqual(
      params({ canary: '1', healthTimeout: '30m', joinType: 'auto', maxUnavailable: '0' })
        .sessionHostUpdate.ignored,
      [],
    );
    const ignored = params({ canary: '2', vmSize: 'Standard_D8s_v5', joinType: 'entra' })
      .sessionHostUpdate.ignored;
    assert.deepStrictEqual(ignored, ['canary', 'joinType', 'vmSize']);
    assert.match(
      ignoredInputsWarning(ignored, 'hp-auto')!,
      /hp-auto is updated by Azure's session host update.*canary, joinType, vmSize.*not used/,
    );
    assert.strictEqual(ignoredInputsWarning([], 'hp-auto'), undefined);
  });

  it('refuses an image in another subscription or not replicated where hosts are made', () => {
    const pool = { name: 'hp-auto', subscriptionId: SUB.split('/')[2] };
    assert.doesNotThrow(() => checkImageForPool(target, pool, 'West Europe'));
    assert.throws(
      () => checkImageForPool(target, { ...pool, subscriptionId: 'other-sub' }, 'westeurope'),
      inputError('image', /1\.0\.1 is in subscription .*0001.*only an image in the pool's subscr/),
    );
    assert.throws(
      () => checkImageForPool(target, pool, 'northeurope'),
      inputError('image', /not replicated to northeurope.*replicated to: westeurope/),
    );
  });
});

describe('host pool, Automated: the update’s status', () => {
  it('classifies every status the spec lists', () => {
    const phases = Object.fromEntries(
      [
        'Scheduled',
        'ValidatingSessionHostUpdate',
        'UpdatingSessionHosts',
        'Pausing',
        'Cancelling',
        'Succeeded',
        'Failed',
        'Error',
        'Canceled',
        'Paused',
        'SomethingNew',
      ].map((s) => [s, phaseOf(s)]),
    );
    assert.deepStrictEqual(phases, {
      Scheduled: 'running',
      ValidatingSessionHostUpdate: 'running',
      UpdatingSessionHosts: 'running',
      Pausing: 'running',
      Cancelling: 'running',
      Succeeded: 'succeeded',
      Failed: 'failed',
      Error: 'error',
      Canceled: 'canceled',
      Paused: 'paused',
      SomethingNew: 'running',
    });
    assert.deepStrictEqual(
      ['Paused', 'Error', 'Pausing', 'Succeeded', 'Failed', 'Canceled'].map((s) =>
        isActive(status(s)),
      ),
      [true, true, true, false, false, false],
    );
    assert.strictEqual(isActive(undefined), false);
  });

  it('progress as hosts done / in progress / total and percent', () => {
    const s = status('UpdatingSessionHosts', {
      percentComplete: 33.3,
      properties: {
        progress: { totalSessionHosts: 3, sessionHostsCompleted: 1, sessionHostsInProgress: 1 },
      },
    });
    assert.strictEqual(
      describeProgress(s),
      'UpdatingSessionHosts: 1 of 3 hosts done, 1 in progress (33%)',
    );
    assert.strictEqual(describeProgress(status('Scheduled')), 'Scheduled');
  });

  it('the refusal texts: Azure’s error, Paused and Error with the way out', () => {
    const failed = status('Failed', {
      error: { code: 'VmCreationFailed', message: 'Quota exceeded in westeurope.' },
    });
    assert.match(
      settledFailure(failed, 'hp-auto')!,
      /hp-auto Failed: VmCreationFailed: Quota exceeded in westeurope\..*action: rollout/,
    );
    assert.match(
      settledFailure(status('Paused'), 'hp-auto')!,
      /is Paused .*does not go on by itself.*action: rollout to resume.*action: abort/,
    );
    assert.match(
      settledFailure(status('Error', { error: { message: 'Host 2 failed.' } }), 'hp-auto')!,
      /stopped in Error: Host 2 failed\..*action: rollout to retry.*action: abort/,
    );
    assert.match(settledFailure(status('Canceled'), 'hp-auto')!, /was Canceled\.$/);
    assert.strictEqual(settledFailure(status('Succeeded'), 'hp-auto'), undefined);
  });

  it('a cancel message names the run, within Azure’s 260 characters', () => {
    const m = cancelMessageOf(PIPELINE, 'cancel');
    assert.match(m, /golden-image run 20261121\.3 was cancelled/);
    assert.ok(m.includes(PIPELINE.runUrl));
    const long = cancelMessageOf({ ...PIPELINE, runUrl: `https://x/${'y'.repeat(300)}` }, 'abort');
    assert.strictEqual(long.length, 260);
  });
});

describe('host pool, Automated: start or follow', () => {
  const base = {
    pool: 'hp-auto',
    configured: V101,
    configuredText: V101,
    target: V101,
    allOnTarget: false,
  };

  it('an update in progress for the image is followed, resumed or retried', () => {
    for (const [s, kind] of [
      ['UpdatingSessionHosts', 'follow'],
      ['Scheduled', 'follow'],
      ['Paused', 'resume'],
      ['Error', 'retry'],
    ])
      assert.strictEqual(decideStart({ ...base, status: status(s) }).kind, kind, s);
  });

  it('one for another image is refused naming it', () => {
    assert.throws(
      () =>
        decideStart({
          ...base,
          configured: V100,
          configuredText: V100,
          status: status('UpdatingSessionHosts'),
        }),
      /onto .*versions\/1\.0\.0 is in progress \(UpdatingSessionHosts\).*action: abort/,
    );
  });

  it('none in progress: start (configuring the image if needed), or nothing to do', () => {
    assert.deepStrictEqual(decideStart({ ...base, status: status('Succeeded') }), {
      kind: 'start',
      configure: false,
    });
    assert.deepStrictEqual(decideStart({ ...base, configured: V100, status: undefined }), {
      kind: 'start',
      configure: true,
    });
    assert.deepStrictEqual(
      decideStart({ ...base, configured: undefined, status: status('Failed') }),
      { kind: 'start', configure: true },
    );
    assert.deepStrictEqual(
      decideStart({ ...base, allOnTarget: true, status: status('Succeeded') }),
      { kind: 'done' },
    );
  });

  it('the plan names the configuration change and each setting’s source', () => {
    const text = automatedPlanText({
      pool: 'hp-auto',
      configuration: {
        properties: { imageInfo: { type: 'Custom', customInfo: { resourceId: V100 } } },
      },
      target,
      decision: { kind: 'start', configure: true },
      settings: { maxVmsRemoved: 2 },
      saved: { maxVmsRemoved: 1, logOffDelayMinutes: 30, deleteOriginalVm: true },
      hosts: [host('h-0', V100), host('h-1', V101)],
    });
    assert.match(text, /1 to create, 1 to update/);
    assert.match(
      text,
      /update {2}session host configuration of hp-auto — image .*1\.0\.0 -> 1\.0\.1/,
    );
    assert.match(text, /create {2}session host update of hp-auto — 1 of 2 host\(s\) run another/);
    assert.match(text, /maxVmsRemoved\): 2 \(this run\)/);
    assert.match(text, /logOffDelayMinutes\): 30m \(the pool's saved setting\)/);
    assert.match(text, /log-off message: Azure default \(the pool's saved setting\)/);
    assert.match(text, /deleteOriginalVm\): deleted \(the pool's saved setting\)/);
    assert.match(text, /hosts on another image: h-0$/m);
  });
});

describe('host pool, Automated: outputs', () => {
  it('added, removed and kept from the hosts before and after', () => {
    const before = [host('h-0', V100), host('h-1', V100), host('h-2', V101)];
    const after = [host('h-0-1', V101), host('h-1-1', V101), host('h-2', V101)];
    const r = automatedResult({
      pool: 'hp-auto',
      target: V101,
      before,
      after,
      result: 'Succeeded',
      message: 'done',
      plan: 'Plan',
      warnings: [],
    });
    assert.deepStrictEqual(
      [r.rolloutState, r.hostsAdded, r.hostsRemoved, r.hostsKept],
      ['Completed', ['h-0-1', 'h-1-1'], ['h-0', 'h-1'], ['h-2']],
    );
    const partly = automatedResult({
      pool: 'hp-auto',
      target: V101,
      before,
      after: [host('h-0-1', V101), host('h-1', V100), host('h-2', V101)],
      result: 'Failed',
      message: 'failed',
      plan: 'Plan',
      warnings: [],
    });
    assert.deepStrictEqual(
      [partly.rolloutState, partly.hostsAdded, partly.hostsRemoved],
      ['PartiallyCompleted', ['h-0-1'], ['h-0']],
    );
    assert.match(partly.summary!, /\*\*PartiallyCompleted\*\*: failed/);
  });
});
