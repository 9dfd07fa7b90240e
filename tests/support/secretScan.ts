// Finds every secret a test knows wherever a run could leave it: the log (modelling what the agent
// masks), resources' stored properties outside protectedSettings, tags, output and job variables,
// and files left in Agent.TempDirectory. Fed by the simulator (its client secret, certificate key,
// issued tokens, the passwords and registration tokens sent in request bodies) and by the run
// itself (SAS signatures, values the task registered with setsecret).
import * as fs from 'fs';
import * as path from 'path';
import type { AuthKind } from '../../scripts/agentEnv';
import type { RunResult } from '../../scripts/runner/runner';
import type { SimInfo, StateDump } from '../sim';

export type SecretKind =
  | 'clientSecret'
  | 'certificateKey'
  | 'token'
  | 'sas'
  | 'registrationToken'
  | 'password'
  | 'secretVariable'
  | 'registered';

export interface KnownSecret {
  kind: SecretKind;
  value: string;
  /** Where the test learnt it (for the failure message; never the value). */
  source: string;
}

export type Place =
  | 'log'
  | 'log (masked, printed on purpose)'
  | 'resource'
  | 'tag'
  | 'output'
  | 'variable'
  | 'tempFile';

export interface Leak {
  kind: SecretKind;
  source: string;
  place: Place;
  /** Line number, resource id and property path, variable or file name. */
  where: string;
}

/** A secret that belongs where it is: e.g. a pool's own registration token in the pool. */
export interface Allowed {
  kind: SecretKind;
  /** Resource type (compared ignoring case). */
  type: string;
  /** Property path inside the resource, dot-separated (`properties.registrationInfo.token`). */
  path: RegExp;
}

export interface ScanOptions {
  info: SimInfo;
  /** The connection's kind: its secret is masked by the agent (default `sp`). */
  auth?: AuthKind;
  /** Secret variables the run was given: the agent masks their values. */
  secretVariables?: Record<string, string>;
  /** Secrets only the test knows (a scenario's registration token...). */
  extra?: KnownSecret[];
  allowed?: Allowed[];
}

export interface ScanReport {
  secrets: KnownSecret[];
  /** How many distinct values of each kind were looked for. */
  counts: Partial<Record<SecretKind, number>>;
  /** How many items of each place were scanned (lines, string properties, variables, files). */
  scanned: Record<'logLines' | 'properties' | 'variables' | 'tempFiles', number>;
  leaks: Leak[];
}

/** Shorter values (a setsecret of `true`) would match everywhere and prove nothing. */
const MIN_LENGTH = 8;

/**
 * The forms in which a value is found, and which the agent masks once the value is registered
 * (its value encoders: JSON string escape, URI data escape, base64).
 */
function variants(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [
    ...new Set([value, json, encodeURIComponent(value), Buffer.from(value).toString('base64')]),
  ];
}

/** task-lib escapes a command's data; the agent reads it back before masking. */
const unescapeData = (text: string) =>
  text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%AZP25/g, '%');

const SET_SECRET = /^##vso\[task\.setsecret\](.*)$/;
const SET_VARIABLE = /^##vso\[task\.setvariable ([^\]]*)\](.*)$/;
const DEBUG = /^(##\[debug\]|##vso\[task\.debug\])/;
const SAS_SIGNATURE = /[?&]sig=([A-Za-z0-9%+/=]{16,})/g;

/** Every secret the run and the simulator know of. */
export function knownSecrets(run: RunResult, o: ScanOptions): KnownSecret[] {
  const found: KnownSecret[] = [];
  const add = (kind: SecretKind, value: unknown, source: string) => {
    if (typeof value === 'string' && value.length >= MIN_LENGTH && !/NOT-A-REAL/.test(value))
      found.push({ kind, value, source });
  };
  add('clientSecret', o.info.principals.sp.secret, 'the connection client secret');
  privateKeyLines(o.info.principals.spCert.certificatePem).forEach((line, i) =>
    add('certificateKey', line, `line ${i + 1} of the certificate's private key`),
  );
  add('token', o.info.systemAccessToken, 'System.AccessToken');
  run.state.issuedTokens.forEach((t, i) => add('token', t, `token ${i + 1} the simulator issued`));
  for (const [name, value] of Object.entries(o.secretVariables ?? {}))
    add('secretVariable', value, `secret variable ${name}`);
  fromRequests(run.state, add);
  for (const r of run.state.resources)
    add('registrationToken', r.properties?.registrationInfo?.token, `${r.id} registration token`);
  const registered = registeredSecrets(run.stdout);
  for (const text of [run.stdout, JSON.stringify(run.state.resources), ...registered])
    for (const [, sig] of text.matchAll(SAS_SIGNATURE))
      add('sas', safeDecode(unescapeData(sig)), 'a SAS signature');
  for (const value of registered) add('registered', value, 'a value the task marked secret');
  found.push(...(o.extra ?? []));
  // One entry per value: the first (most specific) kind wins.
  const seen = new Set<string>();
  return found.filter((s) => !seen.has(s.value) && seen.add(s.value));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function privateKeyLines(pem: string): string[] {
  const block = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END [A-Z ]*PRIVATE KEY-----/.exec(
    pem,
  );
  if (!block) throw new Error('The simulator certificate PEM holds no private key.');
  const lines = block[1].split(/\r?\n/).filter(Boolean);
  return [...lines, lines.join('')];
}

/** Passwords and registration tokens the task sent (request bodies keep them; see the README). */
function fromRequests(
  state: StateDump,
  add: (kind: SecretKind, value: unknown, source: string) => void,
): void {
  for (const r of state.requests) {
    const where = `${r.method} ${r.path.split('?')[0]}`;
    add('password', r.body?.properties?.osProfile?.adminPassword, `adminPassword of ${where}`);
    const items = r.body?.properties?.protectedSettings?.Items;
    add('registrationToken', items?.RegistrationInfoToken, `protectedSettings of ${where}`);
    add('password', r.body?.properties?.protectedSettings?.Password, `join password of ${where}`);
    add('password', r.body?.properties?.domainPassword, `domainPassword of ${where}`);
  }
}

/** The values a run registered with `##vso[task.setsecret]`, unescaped. */
export function registeredSecrets(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map((l) => SET_SECRET.exec(l)?.[1])
    .filter((v): v is string => !!v)
    .map(unescapeData);
}

/** Scans a run (run with `keepTempDirectory: true` to have its temp files read). */
export function scanRun(run: RunResult, o: ScanOptions): ScanReport {
  const secrets = knownSecrets(run, o);
  const leaks: Leak[] = [];
  const scanned = { logLines: 0, properties: 0, variables: 0, tempFiles: 0 };
  const hits = (text: string) =>
    secrets.filter((s) => variants(s.value).some((v) => text.includes(v)));

  // The log: what the agent masks at each line is what was registered before it.
  const masked = new Set<string>(Object.values(o.secretVariables ?? {}));
  masked.add(o.info.systemAccessToken);
  if ((o.auth ?? 'sp') === 'sp') masked.add(o.info.principals.sp.secret);
  const mask = (line: string) => {
    let out = line;
    for (const m of masked) for (const v of variants(m)) out = out.split(v).join('***');
    return out;
  };
  run.stdout.split(/\r?\n/).forEach((line, i) => {
    scanned.logLines++;
    const secret = SET_SECRET.exec(line);
    if (secret) {
      masked.add(unescapeData(secret[1]));
      return;
    }
    const variable = SET_VARIABLE.exec(line);
    if (variable && /issecret=true/i.test(variable[1])) masked.add(unescapeData(variable[2]));
    const shown = mask(line);
    for (const s of hits(line)) {
      const unmasked = variants(s.value).some((v) => shown.includes(v));
      if (unmasked) leaks.push({ ...at(s), place: 'log', where: `line ${i + 1}` });
      // A registered value the task prints outside a debug line is printed on purpose.
      else if (!DEBUG.test(line))
        leaks.push({ ...at(s), place: 'log (masked, printed on purpose)', where: `line ${i + 1}` });
    }
  });

  for (const r of run.state.resources)
    walk(r, '', (p, value) => {
      scanned.properties++;
      for (const s of hits(value)) {
        const allowed = (o.allowed ?? []).some(
          (a) =>
            a.kind === s.kind && a.type.toLowerCase() === r.type.toLowerCase() && a.path.test(p),
        );
        if (!allowed)
          leaks.push({
            ...at(s),
            place: p.startsWith('tags.') ? 'tag' : 'resource',
            where: `${r.id} ${p}`,
          });
      }
    });

  for (const [place, vars] of [
    ['output', run.outputs],
    ['variable', run.variables],
  ] as const)
    for (const [name, value] of Object.entries(vars)) {
      scanned.variables++;
      for (const s of hits(unescapeData(value))) leaks.push({ ...at(s), place, where: name });
    }

  if (run.tempFilesLeft.length > 0 && !fs.existsSync(run.tempDirectory))
    throw new Error('Files were left in the agent temp folder: run with keepTempDirectory: true.');
  for (const file of run.tempFilesLeft) {
    scanned.tempFiles++;
    const content = fs.readFileSync(path.join(run.tempDirectory, file), 'latin1');
    for (const s of hits(content)) leaks.push({ ...at(s), place: 'tempFile', where: file });
  }

  const counts: Partial<Record<SecretKind, number>> = {};
  for (const s of secrets) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
  return { secrets, counts, scanned, leaks };
}

const at = (s: KnownSecret) => ({ kind: s.kind, source: s.source });

/** Calls `visit` with each string property's dot path, skipping protectedSettings. */
function walk(value: unknown, p: string, visit: (path: string, value: string) => void): void {
  if (typeof value === 'string') visit(p, value);
  else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${p}${p ? '.' : ''}${i}`, visit));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      if (k !== 'protectedSettings') walk(v, `${p}${p ? '.' : ''}${k}`, visit);
}

/** A readable list of the leaks (never the values). */
export function describeLeaks(report: ScanReport): string {
  return report.leaks.map((l) => `${l.kind} (${l.source}) in ${l.place}: ${l.where}`).join('\n');
}

/**
 * For any e2e test (or an afterEach over its runs): scans the run and throws, naming each leak's
 * kind, source and place (never the value), when anything leaked. Returns the report.
 */
export function assertNoSecretLeaks(run: RunResult, o: ScanOptions): ScanReport {
  const report = scanRun(run, o);
  if (report.leaks.length)
    throw new Error(`Secrets leaked (${report.leaks.length}):\n${describeLeaks(report)}`);
  return report;
}
