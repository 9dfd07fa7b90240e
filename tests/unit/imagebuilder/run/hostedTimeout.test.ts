import * as assert from 'assert';
import { MemoryLogger } from '../../../../tasks/common/core/logger';
import { warnHostedTimeout } from '../../../../tasks/common/imagebuilder/run/hostedTimeout';

function warnings(hostedAgent: boolean, action: string, minutes: number): string[] {
  const log = new MemoryLogger();
  warnHostedTimeout({ hostedAgent }, action, minutes, log);
  return log.lines.filter((l) => l.startsWith('warning: '));
}

describe('imagebuilder: hosted-agent build timeout', () => {
  it(
    'warns once on a hosted agent when a build may outlast 60 minutes, suggesting start + ' +
      'wait',
    () => {
      const w = warnings(true, 'build', 240);
      assert.strictEqual(w.length, 1);
      assert.match(w[0], /240 minutes/);
      assert.match(w[0], /Microsoft-hosted agent.*stopped at 60 minutes on private projects/);
      assert.match(w[0], /action: start.*action: wait/);
    },
  );

  it(
    'stays quiet at 60 minutes or less, on self-hosted agents, and for actions that do not ' +
      'wait here',
    () => {
      assert.deepStrictEqual(warnings(true, 'build', 60), []);
      assert.deepStrictEqual(warnings(false, 'build', 240), []);
      assert.deepStrictEqual(warnings(true, 'start', 240), []);
      assert.deepStrictEqual(warnings(true, 'validate', 240), []);
    },
  );
});
