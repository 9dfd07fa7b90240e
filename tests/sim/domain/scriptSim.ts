// A scripted stand-in for running a customiser's commands on the build VM. Nothing is executed: each
// command is read for what it would visibly do —
//   echo / Write-Host / Write-Output / printf TEXT   -> TEXT on stdout (">&2" sends it to stderr)
//   Write-Error TEXT (PowerShell)                    -> PowerShell's error record on stderr
//   throw TEXT (PowerShell)                          -> the error record, exit status 1
//   exit N                                           -> stops with status N; a bare `exit` after a
//                                                       Write-Error ends with 1, otherwise 0
//   sleep N / Start-Sleep [-Seconds] N               -> the step takes N more (simulated) seconds
// Any other command succeeds silently. Commands are split on `;` outside quotes, as the shells do.

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

/** Splits a line on `;` outside single/double quotes. */
export function splitCommands(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ';') {
      out.push(cur);
      cur = '';
    } else {
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
  while ((m = re.exec(arg)) !== null) parts.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]));
  return parts.join(' ');
}

const ECHO = /^(echo|write-host|write-output|printf)\b\s*(.*)$/i;

export function simulateScript(kind: ScriptKind, lines: string[], scriptName: string): ScriptResult {
  const output: ScriptOutput[] = [];
  let errorWritten = false;
  let sleepSeconds = 0;
  const ps = kind === 'PowerShell';
  let lineNo = 0;
  for (const rawLine of lines) {
    lineNo++;
    for (const raw of splitCommands(rawLine.replace(/\r$/, ''))) {
      if (raw.startsWith('#')) break;
      let cmd = raw;
      let toErr = false;
      if (/^>&2\s+/.test(cmd)) { toErr = true; cmd = cmd.replace(/^>&2\s+/, ''); }
      if (/\s+(1?>&2|2>&1\s*1>&2)$/.test(cmd)) { toErr = true; cmd = cmd.replace(/\s+(1?>&2|2>&1\s*1>&2)$/, ''); }

      const exit = /^exit(?:\s+(-?\d+|\$\w+))?\s*$/i.exec(cmd);
      if (exit) {
        const code = exit[1] === undefined || exit[1].startsWith('$') ? (ps && errorWritten ? 1 : 0) : parseInt(exit[1], 10);
        return { output, exitCode: code, failingCommand: code !== 0 ? raw : undefined, sleepSeconds };
      }
      const sleep = /^(?:sleep|start-sleep)(?:\s+-s(?:econds)?)?\s+(\d+(?:\.\d+)?)\s*$/i.exec(cmd);
      if (sleep) { sleepSeconds += Math.min(3600, parseFloat(sleep[1])); continue; }
      if (ps && /^write-error\b/i.test(cmd)) {
        const msg = unquote(cmd.replace(/^write-error\s*(-message\s+)?/i, ''));
        output.push({ stream: 'err', text: `${scriptName} : ${msg}` });
        output.push({ stream: 'err', text: '    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException' });
        output.push({ stream: 'err', text: `    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException,${scriptName}` });
        errorWritten = true;
        continue;
      }
      if (ps && /^throw\b/i.test(cmd)) {
        const msg = unquote(cmd.replace(/^throw\s*/i, '')) || 'ScriptHalted';
        output.push({ stream: 'err', text: msg });
        output.push({ stream: 'err', text: `At ${scriptName}:${lineNo} char:1` });
        output.push({ stream: 'err', text: `+ ${raw}` });
        output.push({ stream: 'err', text: `+ ${'~'.repeat(Math.min(raw.length, 60))}` });
        output.push({ stream: 'err', text: `    + CategoryInfo          : OperationStopped: (${msg.slice(0, 20)}:String) [], RuntimeException` });
        output.push({ stream: 'err', text: `    + FullyQualifiedErrorId : ${msg}` });
        return { output, exitCode: 1, failingCommand: raw, sleepSeconds };
      }
      const echo = ECHO.exec(cmd);
      if (echo) {
        const text = unquote(echo[2].replace(/^-n\s+/, '')).replace(/\\n$/, '');
        output.push({ stream: toErr ? 'err' : 'out', text });
      }
    }
  }
  return { output, exitCode: 0, sleepSeconds };
}
