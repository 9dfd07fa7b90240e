import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RunResult } from '../../../scripts/runner/runner';
import type { SimInfo, StateDump } from '../../sim';
import { scanRun } from '../../support/secretScan';

// The scanner on made-up runs: each place it reads, and the agent's masking it models, can fail.
const KEY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
const info = {
  systemAccessToken: 'system-access-token-0123456789',
  principals: {
    sp: { clientId: 'c', objectId: 'o', secret: 'client~secret.0123456789' },
    spCert: {
      clientId: 'c2',
      objectId: 'o2',
      certificatePem: `-----BEGIN PRIVATE KEY-----\n${KEY}\n-----END PRIVATE KEY-----\n`,
    },
  },
} as unknown as SimInfo;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.signature0123456789';
const PASSWORD = 'Adm1n!password-generated';

function run(o: { stdout?: string; tags?: Record<string, string>; file?: string }): RunResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-scan-unit-'));
  if (o.file !== undefined) fs.writeFileSync(path.join(dir, 'summary.md'), o.file);
  const state = {
    resources: [{ id: '/x/vm', type: 'Microsoft.Compute/virtualMachines', tags: o.tags ?? {} }],
    requests: [
      {
        method: 'PUT',
        path: '/x/vm',
        status: 201,
        body: { properties: { osProfile: { adminPassword: PASSWORD } } },
      },
    ],
    issuedTokens: [TOKEN],
  } as unknown as StateDump;
  const stdout = o.stdout ?? '';
  const outputs: Record<string, string> = {};
  for (const [, n, v] of stdout.matchAll(/setvariable variable=(\w+);isOutput=true;[^\]]*\](.*)/g))
    outputs[n] = v;
  return {
    stdout,
    state,
    outputs,
    variables: {},
    tempFilesLeft: o.file !== undefined ? ['summary.md'] : [],
    tempDirectory: dir,
    exitCode: 0,
    durationMs: 1,
  };
}

const places = (r: RunResult) =>
  scanRun(r, { info }).leaks.map((l) => `${l.kind}@${l.place}@${l.where}`);

describe('secretScan: finds what a run leaks, as the agent would show it', () => {
  it('a value printed before it is registered leaks; after, in a debug line, it is masked', () => {
    const r = run({
      stdout: [
        `token ${TOKEN}`,
        `##vso[task.setsecret]${TOKEN}`,
        `##[debug]token ${TOKEN}`,
        `token again ${TOKEN}`,
      ].join('\n'),
    });
    assert.deepStrictEqual(places(r), [
      'token@log@line 1',
      'token@log (masked, printed on purpose)@line 4',
    ]);
  });

  it("the agent masks the connection's secret and System.AccessToken, not a key line", () => {
    const r = run({
      stdout: `##[debug]${info.principals.sp.secret} ${info.systemAccessToken}\n##[debug]${KEY}`,
    });
    assert.deepStrictEqual(places(r), ['certificateKey@log@line 2']);
  });

  it('a password sent in a request, found in a tag, an output or a temp file, leaks', () => {
    const r = run({
      tags: { note: PASSWORD },
      stdout: `##vso[task.setvariable variable=pw;isOutput=true;issecret=false;]${PASSWORD}`,
      file: `JSON: ${JSON.stringify({ p: PASSWORD })}`,
    });
    assert.deepStrictEqual(places(r).sort(), [
      'password@log@line 1',
      'password@output@pw',
      'password@tag@/x/vm tags.note',
      'password@tempFile@summary.md',
    ]);
  });

  it('a clean run has no leaks and counts what it looked for', () => {
    const report = scanRun(run({ stdout: 'all fine' }), { info });
    assert.deepStrictEqual(report.leaks, []);
    assert.deepStrictEqual(report.counts, {
      clientSecret: 1,
      certificateKey: 1,
      token: 2,
      password: 1,
    });
  });
});
