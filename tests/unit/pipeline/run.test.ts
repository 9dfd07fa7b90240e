import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseTaskOutput, runNode } from '../../support/taskProcess';

const PROBE = path.join(__dirname, '..', 'fixtures', 'outcomeProbe.js');
const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gip-outcome-'));

describe('pipeline layer: results, outputs, summary, cancellation', function () {
  this.timeout(30_000);

  it(
    'publishes output variables (secret ones as secret), the summary page and ' +
      'SucceededWithIssues',
    () => {
      const dir = temp();
      const run = runNode(PROBE, { PROBE_MODE: 'outputs', AGENT_TEMPDIRECTORY: dir }, dir);
      assert.strictEqual(run.result, 'SucceededWithIssues');
      assert.match(run.stdout, /^##\[group\]Publishing$/m);
      assert.match(run.stdout, /^##\[endgroup\]$/m);
      assert.match(run.stdout, /##vso\[task\.setprogress value=50;\]halfway/);
      assert.match(run.stdout, /##vso\[task\.issue type=warning;[^\]]*\]one region is slow/);
      assert.match(
        run.stdout,
        new RegExp(
          '##vso\\[task\\.setvariable ' +
            'variable=imageVersionId;isOutput=true;issecret=false;\\]\\/subs' +
            'criptions\\/s\\/x',
        ),
      );
      assert.match(
        run.stdout,
        new RegExp(
          '##vso\\[task\\.setvariable ' +
            'variable=sasUrl;isOutput=true;issecret=true;\\]https:\\/\\/st\\/' +
            'c\\/b\\?sig=SECRET',
        ),
      );
      const summary = /##vso\[task\.uploadsummary\](.*)/.exec(run.stdout)?.[1];
      assert.ok(summary && fs.readFileSync(summary.trim(), 'utf8').includes('| version | 1.0.0 |'));
    },
  );

  it('a bad input fails naming the input, what was wrong and what would be right', () => {
    const dir = temp();
    const run = runNode(
      PROBE,
      { PROBE_MODE: 'bad-input', INPUT_BUILDTIMEOUT: 'forever', AGENT_TEMPDIRECTORY: dir },
      dir,
    );
    assert.strictEqual(run.result, 'Failed');
    assert.strictEqual(
      run.message,
      "Input 'buildTimeout': 'forever' is not a duration. Expected a duration such as 90s, " +
        '30m, 2h or 1h30m (a bare number means minutes).',
    );
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} from the agent aborts the task's signal and ends Cancelled`, async () => {
      const dir = temp();
      const child = spawn(process.execPath, [PROBE], {
        env: {
          PATH: process.env.PATH ?? '',
          PROBE_MODE: 'wait-for-cancel',
          AGENT_TEMPDIRECTORY: dir,
        },
        cwd: dir,
      });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('WAITING') && !child.killed) child.kill(signal);
      });
      await new Promise((r) => child.on('close', r));
      const run = parseTaskOutput(stdout);
      assert.strictEqual(run.result, 'Cancelled', stdout);
      assert.match(stdout, /ABORTED CancelledError/);
      assert.match(stdout, /##vso\[task\.issue type=warning;[^\]]*\]Probe: /);
    });
  }
});
