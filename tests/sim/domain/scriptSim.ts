// A scripted stand-in for running a customiser's commands on the build VM. Nothing is executed:
// each command is read for what it would visibly do —
//   echo / Write-Host / Write-Output / printf TEXT   -> TEXT on stdout (">&2" sends it to stderr)
//   Write-Error TEXT (PowerShell)                    -> PowerShell's error record on stderr
//   throw TEXT (PowerShell)                          -> the error record, exit status 1
//   exit N                                           -> stops with status N; a bare `exit` after a
//                                                       Write-Error ends with 1, otherwise 0
//   sleep N / Start-Sleep [-Seconds] N               -> the step takes N more (simulated) seconds
// and what a script needs to fetch something onto the VM (buildVm.ts answers the requests):
//   PowerShell: `$name = 'text'` / `"text $var"` / `(Invoke-RestMethod ...).property`;
// Invoke-WebRequest /
//     Invoke-RestMethod (-Uri, -Headers @{...}, -OutFile); `if ((Get-FileHash [-Algorithm A]
// -LiteralPath P).Hash
//     -ne 'H') { ... }`; `$ErrorActionPreference = 'Stop'` makes a failed request end the script
// with 1.
//   Shell: `NAME=value` and `NAME=$(pipeline)`, `$NAME` / `${NAME}` of those, pipelines `a | b`,
// `&&` / `||`,
//     `set -e`; curl (-f, -s, -S, -L, -o, -O, -H, --retry, --noproxy), printf FORMAT ARGS, sed [-n]
//     's/RE/REPL/[p]', sha256sum -c, cat; stdout redirected to a file or /dev/null, `>&2`, `2>&1`.
// A variable never assigned by the script is left as written. Any other command succeeds silently
// (shell keywords such as if/then/fi included: conditionals are not evaluated). Commands are split
// on `;` outside quotes and brackets, as the shells do.
import { createHash } from 'crypto';
import type { VmAccess, VmFile, VmResponse } from './buildVm';

export type ScriptKind = 'PowerShell' | 'Shell';

export interface ScriptOutput {
  stream: 'out' | 'err';
  text: string;
}

export interface ScriptResult {
  output: ScriptOutput[];
  exitCode: number;
  /** The command that ended the script with a non-zero status, if any. */
  failingCommand?: string;
  /** Simulated seconds the commands asked to sleep. */
  sleepSeconds: number;
}

/** Splits a line on `;` outside single/double quotes and outside (), {} and []. */
export function splitCommands(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let depth = 0;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ';' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      if ('({['.includes(ch)) depth++;
      else if (')}]'.includes(ch) && depth > 0) depth--;
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((c) => c.trim()).filter((c) => c.length > 0);
}

/** "'a b'" -> "a b"; `"x" "y"` -> "x y"; unquoted words joined by one space. */
export function unquote(arg: string): string {
  const parts: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(arg)) !== null)
    parts.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]));
  return parts.join(' ');
}

const ECHO = /^(echo|write-host|write-output|printf)\b\s*(.*)$/i;
const SHELL_KEYWORD = /^(if|then|else|elif|fi|do|done|while|until|for|case|esac|\{|\})\b/;
const WEB_SWITCHES = new Set([
  'usebasicparsing',
  'usedefaultcredentials',
  'disablekeepalive',
  'passthru',
  'skipcertificatecheck',
  'noproxy',
  'skipheadervalidation',
  'skiphttperrorcheck',
]);

/** Splits `s` at top-level occurrences of any of `seps` (outside quotes and brackets). */
function splitTop(s: string, seps: string[]): { part: string; sep?: string }[] {
  const out: { part: string; sep?: string }[] = [];
  let cur = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length) {
        cur += ch + s[++i];
        continue;
      }
      cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
      continue;
    }
    if ('({['.includes(ch)) depth++;
    else if (')}]'.includes(ch) && depth > 0) depth--;
    const sep =
      depth === 0
        ? seps.find(
            (x) => s.startsWith(x, i) && !(x === '|' && (s[i + 1] === '|' || s[i - 1] === '|')),
          )
        : undefined;
    if (sep) {
      out.push({ part: cur.trim(), sep });
      cur = '';
      i += sep.length - 1;
      continue;
    }
    cur += ch;
  }
  out.push({ part: cur.trim() });
  return out;
}

/**
 * Shell words: quotes removed, `$NAME` / `${NAME}` of assigned variables expanded (not in single
 * quotes).
 */
function shellWords(s: string, vars: Map<string, string>): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  let quote: string | undefined;
  const expand = (i: number): [string, number] | undefined => {
    const m = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*|\?))/.exec(s.slice(i));
    const name = m && (m[1] ?? m[2]);
    return name && vars.has(name) ? [vars.get(name)!, m[0].length] : undefined;
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else cur += ch;
      continue;
    }
    if (ch === '$') {
      const e = expand(i);
      if (e) {
        cur = (cur ?? '') + e[0];
        i += e[1] - 1;
        continue;
      }
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && '"\\$`'.includes(s[i + 1] ?? '')) cur += s[++i];
      else cur += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      cur ??= '';
      continue;
    }
    if (/\s/.test(ch)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
      continue;
    }
    if (ch === '\\' && i + 1 < s.length) {
      cur = (cur ?? '') + s[++i];
      continue;
    }
    cur = (cur ?? '') + ch;
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** printf's FORMAT with %s (and %d) filled from ARGS, the format reused while arguments remain. */
function printf(format: string, args: string[]): string {
  const unescape = (x: string) =>
    x.replace(/\\(n|t|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
  let out = '';
  let i = 0;
  do {
    out += unescape(format).replace(/%[sd%]/g, (f) => (f === '%%' ? '%' : (args[i++] ?? '')));
  } while (i < args.length && /%[sd]/.test(format));
  return out;
}

/** sed's basic regular expression as a JavaScript one. */
function bre(re: string): RegExp {
  let out = '';
  for (let i = 0; i < re.length; i++) {
    const ch = re[i];
    if (ch === '\\' && i + 1 < re.length) {
      const n = re[++i];
      out += '(){}|+?'.includes(n) ? n : `\\${n}`;
    } else {
      out += '(){}|+?'.includes(ch) ? `\\${ch}` : ch;
    }
  }
  return new RegExp(out);
}

/** A `sed` script of one `s/RE/REPL/FLAGS` command; undefined when it is another kind. */
function sedSubstitute(script: string): ((line: string) => string | undefined) | undefined {
  const m = /^s(.)(.*?)\1(.*?)\1([gp]*)$/.exec(script);
  if (!m) return undefined;
  const re = bre(m[2]);
  const global = m[4].includes('g') ? new RegExp(re.source, 'g') : re;
  const repl = m[3].replace(/\\(\d)/g, '$$$1').replace(/&/g, '$$&');
  return (line) => (re.test(line) ? line.replace(global, repl) : undefined);
}

function lines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

interface Proc {
  status: number;
  stdout: string;
  stderr: string[];
}

const HASHES: Record<string, string> = {
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  md5: 'md5',
};

/** One script's run: its variables, its error mode, what it printed. */
class ScriptRun {
  readonly output: ScriptOutput[] = [];
  private readonly vars = new Map<string, string>();
  private errorWritten = false;
  /** PowerShell `$ErrorActionPreference = 'Stop'`, Shell `set -e`. */
  private stopOnError = false;
  private sleepSeconds = 0;
  private lineNo = 0;
  private status = 0;
  private readonly ps: boolean;

  constructor(
    kind: ScriptKind,
    private readonly scriptName: string,
    private readonly vm?: VmAccess,
  ) {
    this.ps = kind === 'PowerShell';
  }

  async run(scriptLines: string[]): Promise<ScriptResult> {
    for (const rawLine of scriptLines) {
      this.lineNo++;
      for (const raw of splitCommands(rawLine.replace(/\r$/, ''))) {
        if (raw.startsWith('#')) break;
        const end = await this.command(raw);
        if (end) return end;
      }
    }
    return { output: this.output, exitCode: 0, sleepSeconds: this.sleepSeconds };
  }

  private end(code: number, raw: string): ScriptResult {
    return {
      output: this.output,
      exitCode: code,
      failingCommand: code !== 0 ? raw : undefined,
      sleepSeconds: this.sleepSeconds,
    };
  }

  private out(stream: 'out' | 'err', text: string): void {
    this.output.push({ stream, text });
  }

  /** Runs one command; a result when it ends the script. */
  private async command(raw: string): Promise<ScriptResult | undefined> {
    const exit = /^exit(?:\s+(-?\d+|\$\w+|\$\?))?\s*$/i.exec(raw);
    if (exit) {
      const v = exit[1];
      const code =
        v === undefined || v.startsWith('$')
          ? this.ps
            ? this.errorWritten
              ? 1
              : 0
            : v === '$?' || v === undefined
              ? this.status
              : 0
          : parseInt(v, 10);
      return this.end(code, raw);
    }
    const sleep = /^(?:sleep|start-sleep)(?:\s+-s(?:econds)?)?\s+(\d+(?:\.\d+)?)\s*$/i.exec(raw);
    if (sleep) {
      this.sleepSeconds += Math.min(3600, parseFloat(sleep[1]));
      return undefined;
    }
    return this.ps ? this.powershell(raw) : this.shell(raw);
  }

  // ---------------------------------------------------------------- PowerShell

  private async powershell(raw: string): Promise<ScriptResult | undefined> {
    let cmd = raw;
    let toErr = false;
    if (/\s+(1?>&2|2>&1\s*1>&2)$/.test(cmd)) {
      toErr = true;
      cmd = cmd.replace(/\s+(1?>&2|2>&1\s*1>&2)$/, '');
    }
    if (/^write-error\b/i.test(cmd)) {
      const msg = this.psText(cmd.replace(/^write-error\s*(-message\s+)?/i, ''));
      this.out('err', `${this.scriptName} : ${msg}`);
      this.out(
        'err',
        '    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException',
      );
      this.out(
        'err',
        `    + FullyQualifiedErrorId : ` +
          `Microsoft.PowerShell.Commands.WriteErrorException,${this.scriptName}`,
      );
      this.errorWritten = true;
      return undefined;
    }
    if (/^throw\b/i.test(cmd)) {
      const msg = this.psText(cmd.replace(/^throw\s*/i, '')) || 'ScriptHalted';
      this.out('err', msg);
      this.errorRecordTail(
        raw,
        `OperationStopped: (${msg.slice(0, 20)}:String) [], RuntimeException`,
        msg,
      );
      return this.end(1, raw);
    }
    const assign = /^\$(\w+)\s*=\s*(.+)$/.exec(cmd);
    if (assign) return this.psAssign(assign[1], assign[2].trim(), raw);
    const web = /^(invoke-webrequest|iwr|invoke-restmethod|irm)\b\s*(.*)$/i.exec(cmd);
    if (web) {
      const r = await this.psWeb(web[1], web[2], raw);
      return r.stop;
    }
    const check = new RegExp(
      '^if\\s*\\(\\s*\\(\\s*get-filehash\\s+(.*?)\\)\\.hash\\s+' +
        '-(c?ne|c?eq)\\s+(\\S+)\\s*\\)\\s*\\{(.*)\\}\\s*$',
      'i',
    ).exec(cmd);
    if (check) return this.psHashCheck(check[1], check[2].toLowerCase(), check[3], check[4], raw);
    const echo = ECHO.exec(cmd);
    if (echo) this.out(toErr ? 'err' : 'out', this.psText(echo[2]));
    return undefined;
  }

  /**
   * Write-Host's arguments: quotes removed, `$name` of assigned variables expanded in double
   * quotes.
   */
  private psText(args: string): string {
    const parts: string[] = [];
    const re = /'((?:[^']|'')*)'|"((?:[^"`]|`.)*)"|(\S+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(args)) !== null) {
      if (m[1] !== undefined) parts.push(m[1].replace(/''/g, "'"));
      else if (m[2] !== undefined) parts.push(this.psExpand(m[2].replace(/`(.)/g, '$1')));
      else
        parts.push(
          m[3].startsWith('$') && this.vars.has(m[3].slice(1))
            ? this.vars.get(m[3].slice(1))!
            : m[3],
        );
    }
    return parts.join(' ');
  }

  private psExpand(s: string): string {
    return s.replace(/\$(?:\{(\w+)\}|(\w+))/g, (all, a?: string, b?: string) => {
      const name = a ?? b ?? '';
      return this.vars.has(name) ? this.vars.get(name)! : all;
    });
  }

  /** A value as PowerShell reads it: 'literal', "expanded", $variable, or a bare word. */
  private psValue(token: string): string {
    if (/^'.*'$/s.test(token)) return token.slice(1, -1).replace(/''/g, "'");
    if (/^".*"$/s.test(token)) return this.psExpand(token.slice(1, -1).replace(/`(.)/g, '$1'));
    if (/^\$\w+$/.test(token)) return this.vars.get(token.slice(1)) ?? '';
    return token;
  }

  /** Tokens split on whitespace outside quotes and brackets. */
  private psTokens(s: string): string[] {
    const out: string[] = [];
    for (const { part } of splitTop(s, [' ', '\t'])) if (part) out.push(part);
    return out;
  }

  private psHashtable(token: string): Record<string, string> {
    const body = /^@\{(.*)\}$/s.exec(token)?.[1] ?? '';
    const table: Record<string, string> = {};
    for (const { part } of splitTop(body, [';', '\n'])) {
      const eq = splitTop(part, ['=']);
      if (eq.length < 2) continue;
      const key = eq[0].part.replace(/^['"]|['"]$/g, '');
      table[key] = this.psValue(
        eq
          .slice(1)
          .map((x) => x.part)
          .join('='),
      );
    }
    return table;
  }

  private async psAssign(
    name: string,
    rhs: string,
    raw: string,
  ): Promise<ScriptResult | undefined> {
    if (name.toLowerCase() === 'erroractionpreference') {
      this.stopOnError = this.psValue(rhs).toLowerCase() === 'stop';
      return undefined;
    }
    const call =
      /^\(\s*(invoke-restmethod|irm|invoke-webrequest|iwr)\b\s*(.*)\)\.(\w+)$/is.exec(rhs) ??
      /^(invoke-restmethod|irm|invoke-webrequest|iwr)\b\s*(.*)$/is.exec(rhs);
    if (call) {
      const r = await this.psWeb(call[1], call[2], raw);
      if (r.stop) return r.stop;
      let value = r.body ?? '';
      if (call[3] && r.body !== undefined) {
        try {
          // The fields a script reads this way are scalars (a token, its expiry).
          const doc = JSON.parse(r.body) as Record<string, string | number | boolean | null>;
          const v = doc[call[3]];
          value = v === undefined || v === null ? '' : String(v);
        } catch {
          value = '';
        }
      }
      this.vars.set(name, value);
      return undefined;
    }
    this.vars.set(name, /^(['"]).*\1$/s.test(rhs) || /^\$\w+$/.test(rhs) ? this.psValue(rhs) : '');
    return undefined;
  }

  /** Invoke-WebRequest / Invoke-RestMethod: the response body (text), or the end of the script. */
  private async psWeb(
    cmdlet: string,
    args: string,
    raw: string,
  ): Promise<{ body?: string; stop?: ScriptResult }> {
    const tokens = this.psTokens(args);
    const params: Record<string, string> = {};
    const positional: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const p = /^-(\w+)$/.exec(tokens[i]);
      if (!p) {
        positional.push(tokens[i]);
        continue;
      }
      const name = p[1].toLowerCase();
      if (WEB_SWITCHES.has(name) || i + 1 >= tokens.length || /^-\w+$/.test(tokens[i + 1]))
        params[name] = 'true';
      else params[name] = tokens[++i];
    }
    const uri = this.psValue(params.uri ?? positional[0] ?? '');
    const headers = params.headers ? this.psHashtable(params.headers) : {};
    const outFile = params.outfile ? this.psValue(params.outfile) : undefined;
    const full = /^(invoke-restmethod|irm)$/i.test(cmdlet)
      ? 'Invoke-RestMethod'
      : 'Invoke-WebRequest';
    const r = await this.fetch(uri, headers);
    if (r.error || r.status >= 400) {
      if (outFile) this.setFile(outFile, 'absent');
      const message = r.error
        ? r.error.kind === 'dns'
          ? `The remote name could not be resolved: '${r.error.host}'`
          : 'Unable to connect to the remote server'
        : r.body?.toString('utf8') || `The remote server returned an error: (${r.status}).`;
      const [first, ...rest] = message.split('\n');
      this.out('err', `${full} : ${first}`);
      for (const l of rest) this.out('err', l);
      this.errorRecordTail(
        raw,
        r.error
          ? 'NotSpecified: (:) [], WebException'
          : `InvalidOperation: (System.Net.HttpWebRequest:HttpWebRequest) [${full}], WebException`,
        `WebCmdletWebResponseException,Microsoft.PowerShell.Commands.` +
          `${full.replace('-', '')}Command`,
      );
      this.errorWritten = true;
      return this.stopOnError ? { stop: this.end(1, raw) } : {};
    }
    if (outFile) {
      this.setFile(outFile, r.body ?? 'unknown');
      return {};
    }
    return { body: r.body?.toString('utf8') };
  }

  /**
   * `if ((Get-FileHash ...).Hash -ne 'H') { ... }`: a file the simulator can't know the content of
   * passes.
   */
  private async psHashCheck(
    args: string,
    op: string,
    expectedToken: string,
    body: string,
    raw: string,
  ): Promise<ScriptResult | undefined> {
    const tokens = this.psTokens(args);
    let algorithm = 'sha256';
    let file: string | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const p = /^-(\w+)$/.exec(tokens[i]);
      if (p && /^algorithm$/i.test(p[1])) algorithm = this.psValue(tokens[++i] ?? '').toLowerCase();
      else if (p && /^(literal)?path$/i.test(p[1])) file = this.psValue(tokens[++i] ?? '');
      else if (!p) file ??= this.psValue(tokens[i]);
    }
    const expected = this.psValue(expectedToken);
    const content = file === undefined ? 'unknown' : this.getFile(file);
    let hash: string | undefined = expected;
    if (content === 'absent') {
      this.out('err', `Get-FileHash : Cannot find path '${file}' because it does not exist.`);
      this.errorRecordTail(
        raw,
        `ObjectNotFound: (${file}:String) [Get-FileHash], ItemNotFoundException`,
        'PathNotFound,Get-FileHash',
      );
      this.errorWritten = true;
      if (this.stopOnError) return this.end(1, raw);
      hash = undefined;
    } else if (Buffer.isBuffer(content)) {
      hash = createHash(HASHES[algorithm] ?? 'sha256')
        .update(content)
        .digest('hex')
        .toUpperCase();
    }
    const same =
      hash !== undefined &&
      (op.startsWith('c') ? hash === expected : hash.toLowerCase() === expected.toLowerCase());
    if (same === op.endsWith('eq')) {
      for (const c of splitCommands(body)) {
        const end = await this.command(c);
        if (end) return end;
      }
    }
    return undefined;
  }

  /** The lines PowerShell prints under an error's message. */
  private errorRecordTail(raw: string, category: string, id: string): void {
    this.out('err', `At ${this.scriptName}:${this.lineNo} char:1`);
    this.out('err', `+ ${raw.length > 70 ? `${raw.slice(0, 70)} ...` : raw}`);
    this.out('err', `+ ${'~'.repeat(Math.min(raw.length, 72))}`);
    this.out('err', `    + CategoryInfo          : ${category}`);
    this.out('err', `    + FullyQualifiedErrorId : ${id}`);
  }

  // ---------------------------------------------------------------- Shell

  private async shell(raw: string): Promise<ScriptResult | undefined> {
    if (SHELL_KEYWORD.test(raw)) return undefined;
    const set = /^set\s+([-+])([a-z]+)(\s|$)/.exec(raw);
    if (set) {
      if (set[2].includes('e')) this.stopOnError = set[1] === '-';
      return undefined;
    }
    const list = splitTop(raw, ['&&', '||']);
    let status = 0;
    let op: string | undefined;
    let lastRan = -1;
    for (const [i, { part, sep }] of list.entries()) {
      if (op === undefined || (op === '&&' ? status === 0 : status !== 0)) {
        lastRan = i;
        const assign = /^(?:export\s+)?([A-Za-z_]\w*)=(.*)$/s.exec(part);
        if (assign) {
          status = await this.shellAssign(assign[1], assign[2]);
        } else {
          const p = await this.pipeline(part, undefined);
          for (const l of lines(p.stdout)) this.out('out', l);
          for (const l of p.stderr) this.out('err', l);
          status = p.status;
        }
      }
      op = sep;
    }
    this.status = status;
    this.vars.set('?', String(status));
    // `set -e` ignores a failure that is not the last command of an && / || list.
    if (status !== 0 && this.stopOnError && lastRan === list.length - 1)
      return this.end(status, raw);
    return undefined;
  }

  private async shellAssign(name: string, value: string): Promise<number> {
    const sub = /^\$\((.*)\)$/s.exec(value.trim()) ?? /^"\$\((.*)\)"$/s.exec(value.trim());
    if (sub) {
      const p = await this.pipeline(sub[1], undefined);
      for (const l of p.stderr) this.out('err', l);
      this.vars.set(name, p.stdout.replace(/\n+$/, ''));
      return p.status;
    }
    this.vars.set(name, shellWords(value, this.vars).join(' '));
    return 0;
  }

  /**
   * A pipeline; the last stage's stdout and stderr are returned (the caller prints or captures
   * them), the others' stderr printed.
   */
  private async pipeline(cmd: string, stdin: string | undefined): Promise<Proc> {
    let input = stdin;
    let last: Proc = { status: 0, stdout: '', stderr: [] };
    for (const { part } of splitTop(cmd, ['|'])) {
      for (const l of last.stderr) this.out('err', l);
      last = await this.stage(part, input);
      input = last.stdout;
    }
    return last;
  }

  /** One simple command with its redirections. */
  private async stage(cmd: string, stdin: string | undefined): Promise<Proc> {
    const words = shellWords(cmd, this.vars);
    let stdoutTo: 'out' | 'err' | 'null' | { file: string; append: boolean } = 'out';
    let stderrTo: 'err' | 'null' | 'out' = 'err';
    const args: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (/^1?>&2$/.test(w)) stdoutTo = 'err';
      else if (w === '2>&1') stderrTo = 'out';
      else if (/^2>/.test(w)) stderrTo = 'null';
      else if (/^&>/.test(w)) {
        stdoutTo = 'null';
        stderrTo = 'null';
      } else if (/^1?>>?/.test(w)) {
        const target = w.replace(/^1?>>?/, '') || words[++i] || '';
        stdoutTo = target === '/dev/null' ? 'null' : { file: target, append: w.includes('>>') };
      } else args.push(w);
    }
    while (args[0] === 'sudo') {
      args.shift();
      while (args[0]?.startsWith('-')) args.shift();
    }
    const p = await this.program(args, stdin);
    let stdout = p.stdout;
    const stderr = stderrTo === 'null' ? [] : p.stderr;
    if (stderrTo === 'out') stdout += p.stderr.map((l) => `${l}\n`).join('');
    if (stdoutTo === 'err')
      return { status: p.status, stdout: '', stderr: [...stderr, ...lines(stdout)] };
    if (stdoutTo === 'null') return { status: p.status, stdout: '', stderr };
    if (typeof stdoutTo === 'object') {
      const before = stdoutTo.append ? this.getFile(stdoutTo.file) : undefined;
      this.setFile(
        stdoutTo.file,
        Buffer.concat([
          Buffer.isBuffer(before) ? before : Buffer.alloc(0),
          Buffer.from(stdout, 'utf8'),
        ]),
      );
      return { status: p.status, stdout: '', stderr };
    }
    return { status: p.status, stdout, stderr: stderrTo === 'out' ? [] : stderr };
  }

  private async program(argv: string[], stdin: string | undefined): Promise<Proc> {
    const [name = '', ...args] = argv;
    const ok = (stdout = ''): Proc => ({ status: 0, stdout, stderr: [] });
    switch (name) {
      case 'echo': {
        let rest = args;
        let newline = true;
        while (rest[0] && /^-[neE]+$/.test(rest[0])) {
          if (rest[0].includes('n')) newline = false;
          rest = rest.slice(1);
        }
        return ok(`${rest.join(' ').replace(/\\n$/, '')}${newline ? '\n' : ''}`);
      }
      case 'printf': {
        const text = printf(args[0] ?? '', args.slice(1));
        return ok(stdin === undefined && !text.endsWith('\n') ? `${text}\n` : text);
      }
      case 'true':
      case ':':
        return ok();
      case 'false':
        return { status: 1, stdout: '', stderr: [] };
      case 'cat': {
        if (args.length === 0) return ok(stdin ?? '');
        const f = this.getFile(args[0]);
        if (f === 'absent')
          return { status: 1, stdout: '', stderr: [`cat: ${args[0]}: No such file or directory`] };
        return ok(Buffer.isBuffer(f) ? f.toString('utf8') : '');
      }
      case 'curl':
        return this.curl(args);
      case 'sed':
        return this.sed(args, stdin);
      case 'sha256sum':
        return this.sha256sum(args, stdin);
      default:
        return ok();
    }
  }

  private async curl(args: string[]): Promise<Proc> {
    let fail = false;
    let silent = false;
    let showError = false;
    let output: string | undefined;
    let remoteName = false;
    let url: string | undefined;
    const headers: Record<string, string> = {};
    const withValue = new Set([
      '-o',
      '--output',
      '-H',
      '--header',
      '--retry',
      '--retry-delay',
      '--retry-max-time',
      '--noproxy',
      '-X',
      '--request',
      '-w',
      '--write-out',
      '-m',
      '--max-time',
      '--connect-timeout',
      '-u',
      '--user',
      '-A',
      '--user-agent',
      '-e',
      '--referer',
      '-d',
      '--data',
      '--oauth2-bearer',
    ]);
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (withValue.has(a)) {
        const v = args[++i] ?? '';
        if (a === '-o' || a === '--output') output = v;
        else if (a === '-H' || a === '--header') {
          const c = v.indexOf(':');
          if (c > 0) headers[v.slice(0, c).trim()] = v.slice(c + 1).trim();
        } else if (a === '--oauth2-bearer') headers.Authorization = `Bearer ${v}`;
      } else if (a === '--fail') fail = true;
      else if (a === '--silent') silent = true;
      else if (a === '--show-error') showError = true;
      else if (a === '--remote-name') remoteName = true;
      else if (/^-[a-zA-Z]+$/.test(a)) {
        if (a.includes('f')) fail = true;
        if (a.includes('s')) silent = true;
        if (a.includes('S')) showError = true;
        if (a.includes('O')) remoteName = true;
        if (/[oH]$/.test(a) && a.length > 2) {
          const v = args[++i] ?? '';
          if (a.endsWith('o')) output = v;
          else {
            const c = v.indexOf(':');
            if (c > 0) headers[v.slice(0, c).trim()] = v.slice(c + 1).trim();
          }
        }
      } else if (!a.startsWith('-')) url ??= a;
    }
    if (!url) return { status: 2, stdout: '', stderr: ['curl: no URL specified!'] };
    if (remoteName && !output)
      output = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'index.html');
    const say = (code: number, msg: string): Proc => ({
      status: code,
      stdout: '',
      stderr: !silent || showError ? [`curl: (${code}) ${msg}`] : [],
    });
    const r = await this.fetch(url, headers);
    if (r.error) {
      if (output) this.setFile(output, 'absent');
      return r.error.kind === 'dns'
        ? say(6, `Could not resolve host: ${r.error.host}`)
        : say(7, `Failed to connect to ${r.error.host}: Connection refused`);
    }
    if (fail && r.status >= 400) {
      if (output) this.setFile(output, 'absent');
      return say(22, `The requested URL returned error: ${r.status}`);
    }
    if (output) {
      this.setFile(output, r.body ?? 'unknown');
      return { status: 0, stdout: '', stderr: [] };
    }
    return { status: 0, stdout: r.body?.toString('utf8') ?? '', stderr: [] };
  }

  private sed(args: string[], stdin: string | undefined): Proc {
    const quiet = args.includes('-n');
    const rest = args.filter((a) => a !== '-n' && a !== '-e');
    const sub = sedSubstitute(rest[0] ?? '');
    const printOnMatch = /p$/.test(rest[0] ?? '');
    let input = stdin ?? '';
    if (rest[1]) {
      const f = this.getFile(rest[1]);
      if (f === 'absent')
        return {
          status: 2,
          stdout: '',
          stderr: [`sed: can't read ${rest[1]}: No such file or directory`],
        };
      input = Buffer.isBuffer(f) ? f.toString('utf8') : '';
    }
    if (!sub) return { status: 0, stdout: quiet ? '' : input, stderr: [] };
    let out = '';
    for (const line of lines(input)) {
      const changed = sub(line);
      if (!quiet) out += `${changed ?? line}\n`;
      if (changed !== undefined && printOnMatch) out += `${changed}\n`;
    }
    return { status: 0, stdout: out, stderr: [] };
  }

  /**
   * `sha256sum -c`: the check list from stdin (`-`) or a file; a file the simulator can't know
   * passes.
   */
  private sha256sum(args: string[], stdin: string | undefined): Proc {
    if (!args.includes('-c') && !args.includes('--check'))
      return { status: 0, stdout: '', stderr: [] };
    const quiet = args.includes('--quiet');
    const statusOnly = args.includes('--status');
    const listFile = args.filter((a) => !a.startsWith('-') || a === '-').pop() ?? '-';
    const list =
      listFile === '-'
        ? (stdin ?? '')
        : (() => {
            const f = this.getFile(listFile);
            return Buffer.isBuffer(f) ? f.toString('utf8') : '';
          })();
    let stdout = '';
    const stderr: string[] = [];
    let failed = 0;
    let unreadable = 0;
    for (const line of lines(list)) {
      const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
      if (!m) continue;
      const f = this.getFile(m[2]);
      if (f === 'absent') {
        unreadable++;
        if (!statusOnly) {
          stderr.push(`sha256sum: ${m[2]}: No such file or directory`);
          stdout += `${m[2]}: FAILED open or read\n`;
        }
      } else if (
        Buffer.isBuffer(f) &&
        createHash('sha256').update(f).digest('hex') !== m[1].toLowerCase()
      ) {
        failed++;
        if (!statusOnly) stdout += `${m[2]}: FAILED\n`;
      } else if (!quiet && !statusOnly) {
        stdout += `${m[2]}: OK\n`;
      }
    }
    if (!statusOnly && unreadable)
      stderr.push(
        `sha256sum: WARNING: ${unreadable} listed file${unreadable === 1 ? '' : 's'} could ` +
          `not be read`,
      );
    if (!statusOnly && failed)
      stderr.push(
        `sha256sum: WARNING: ${failed} computed checksum${failed === 1 ? '' : 's'} did NOT match`,
      );
    return { status: failed || unreadable ? 1 : 0, stdout, stderr };
  }

  // ---------------------------------------------------------------- the VM

  private async fetch(url: string, headers: Record<string, string>): Promise<VmResponse> {
    // Without a VM (unit tests of the commands alone) a request reaches something of unknown
    // content.
    return this.vm ? this.vm.get(url, headers) : { status: 200 };
  }

  private getFile(path: string): VmFile | undefined {
    return this.vm?.readFile(path);
  }

  private setFile(path: string, content: VmFile): void {
    this.vm?.writeFile(path, content);
  }
}

export async function simulateScript(
  kind: ScriptKind,
  scriptLines: string[],
  scriptName: string,
  vm?: VmAccess,
): Promise<ScriptResult> {
  return new ScriptRun(kind, scriptName, vm).run(scriptLines);
}
