import * as assert from 'assert';
import * as tl from 'azure-pipelines-task-lib/task';
import { PipelineLogger } from '../../../tasks/common/pipeline/logger';

/**
 * A value holding a logging command, printed by a task, must not reach the agent as one. The agent
 * reads a line's first `##vso[` as a command (anywhere in the line), and `##[` at a line's start
 * as a format. task-lib writes each command on one line of its own (newlines in its text escaped),
 * so a quoted value after it is text; the plain lines the pipeline logger prints are made inert.
 */
const PAYLOAD =
  'x\n##vso[task.setvariable variable=pwned]yes ##vso[task.complete result=Succeeded;]y';

/** What `fn` writes to stdout, as lines. */
function written(fn: () => void): string[] {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const exitCode = process.exitCode;
  process.stdout.write = (chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  };
  try {
    fn();
  } finally {
    process.stdout.write = write;
    process.exitCode = exitCode;
  }
  return out.join('').split(/\r?\n/).filter(Boolean);
}

/** The command the agent reads on each line: from its first `##vso[` to the first `]` after. */
const commandsRead = (lines: string[]) =>
  lines.flatMap((l) => {
    const at = l.indexOf('##vso[');
    return at < 0 ? [] : [l.slice(at, l.indexOf(']', at) + 1)];
  });

describe('bad input: a value never becomes a logging command', () => {
  it("task-lib's error, warning, debug and result: one line each, their own command first", () => {
    const lines = written(() => {
      tl.error(PAYLOAD);
      tl.warning(PAYLOAD);
      tl.debug(PAYLOAD);
      tl.setResult(tl.TaskResult.Failed, PAYLOAD, true);
    });
    assert.deepStrictEqual(commandsRead(lines), [
      '##vso[task.issue type=error;source=TaskInternal;]',
      '##vso[task.issue type=warning;source=TaskInternal;]',
      '##vso[task.debug]',
      '##vso[task.debug]',
      '##vso[task.issue type=error;source=TaskInternal;]',
      '##vso[task.complete result=Failed;done=true;]',
    ]);
    assert.ok(
      lines.every((l) => l.startsWith('##vso[')),
      lines.join('\n'),
    );
  });

  it('the pipeline logger prints a value in plain text (info, group) with no command in it', () => {
    const log = new PipelineLogger();
    const lines = written(() => {
      log.info(`Template:\n${PAYLOAD}`);
      log.group(`Customizer 1: ${PAYLOAD}`);
      log.info('##[error]not an error');
      log.endGroup();
    });
    assert.deepStrictEqual(commandsRead(lines), [], lines.join('\n'));
    assert.deepStrictEqual(
      lines.filter((l) => l.startsWith('##')),
      [lines.find((l) => l.startsWith('##[group]Customizer 1: x')), '##[endgroup]'],
    );
    // The text stays readable: only a zero-width space comes between the two #.
    assert.ok(
      lines.includes(
        '#\u200b#vso[task.setvariable variable=pwned]yes #\u200b#vso[task' +
          '.complete result=Succeeded;]y',
      ),
      lines.join('\n'),
    );
  });
});
