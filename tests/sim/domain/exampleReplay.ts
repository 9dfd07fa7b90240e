// Sends an official example (x-ms-examples file) to a running simulator as its operation describes
// it: the operation (method, path template) is the one whose x-ms-examples name the file; path
// parameters fill the template, objects are the body, other scalars the query. Long-running answers
// are polled to the end. Test support for the examples tests.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { RunningSim } from '../index';
import { rawRequest } from '../testSupport';

export interface Replay {
  status: number;
  body: any;
  /**
   * The operation's final result (the resource after an LRO PUT, the Location result of an action).
   */
  final: any;
}

interface Located {
  method: string;
  template: string;
  exampleFile: string;
}

function operationOf(specFile: string, exampleFile: string): Located {
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  for (const [template, ops] of Object.entries<any>(spec.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const ref = Object.values<any>(op?.['x-ms-examples'] ?? {})
        .map((e) => String(e.$ref))
        .find((r) => path.basename(r) === exampleFile);
      if (ref)
        return {
          method: method.toUpperCase(),
          template,
          exampleFile: path.resolve(path.dirname(specFile), ref),
        };
    }
  }
  throw new Error(`no operation of ${specFile} names the example ${exampleFile}`);
}

export class ExampleReplayer {
  count = 0;

  constructor(
    private readonly sim: RunningSim,
    private readonly token: string,
    private readonly specFile: string,
    /** Placeholder and id rewrites applied to the example's text before it is parsed. */
    private readonly substitute: (text: string) => string,
  ) {}

  /** The example (by file name), placeholders substituted. */
  example(file: string): any {
    const text = fs.readFileSync(operationOf(this.specFile, file).exampleFile, 'utf8');
    return JSON.parse(this.substitute(text));
  }

  /**
   * Sends the example; `expect` is the status wanted (default any 2xx) and, for LROs, the final
   * status.
   */
  async send(
    file: string,
    expect: { status?: number; final?: 'Succeeded' | 'Failed' } = {},
  ): Promise<Replay> {
    const { method, template } = operationOf(this.specFile, file);
    const params = this.example(file).parameters;
    const used = new Set<string>(['api-version']);
    const p = template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      used.add(name);
      return encodeURIComponent(String(params[name]));
    });
    const query = new URLSearchParams({ 'api-version': String(params['api-version']) });
    let body: unknown;
    for (const [k, v] of Object.entries(params)) {
      if (used.has(k)) continue;
      if (v !== null && typeof v === 'object') body = v;
      else query.set(k, String(v));
    }
    const r = await rawRequest(this.sim, method, `${p}?${query.toString()}`, {
      token: this.token,
      body,
    });
    if (expect.status !== undefined)
      assert.strictEqual(r.status, expect.status, `${file}: ${r.status} ${JSON.stringify(r.body)}`);
    else
      assert.ok(
        r.status >= 200 && r.status < 300,
        `${file}: ${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`,
      );
    const final = await this.settle(file, r, expect.final ?? 'Succeeded');
    this.count++;
    return { status: r.status, body: r.body, final };
  }

  private async settle(
    file: string,
    r: { status: number; headers: Record<string, string>; body: any },
    want: string,
  ): Promise<any> {
    const asyncUrl = r.headers['azure-asyncoperation'];
    const location = r.headers['location'];
    if (!asyncUrl && !location) return r.body;
    const get = async (url: string) => {
      const u = new URL(url);
      return rawRequest(this.sim, 'GET', u.pathname + u.search, { token: this.token });
    };
    if (asyncUrl) {
      for (;;) {
        const s = await get(asyncUrl);
        if (s.body?.status === 'InProgress') {
          await new Promise((res) => setTimeout(res, 10));
          continue;
        }
        assert.strictEqual(s.body?.status, want, `${file} ended ${JSON.stringify(s.body)}`);
        if (want !== 'Succeeded') return s.body;
        break;
      }
    }
    if (!location) return r.body;
    for (;;) {
      const s = await get(location);
      if (s.status === 202) {
        await new Promise((res) => setTimeout(res, 10));
        continue;
      }
      assert.ok(s.status < 300, `${file} ended ${s.status} ${JSON.stringify(s.body)}`);
      return s.body;
    }
  }
}
