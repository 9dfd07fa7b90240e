import * as assert from 'assert';
import { LogView } from '../../scripts/demo/logView';

describe('log view (what the pipeline web view shows)', () => {
  it(
    'consumes logging commands, marks sections and issues, and masks secrets registered ' +
      'earlier',
    () => {
      const view = new LogView();
      const lines = [
        ...view.push(
          '##vso[task.debug]hidden\n##vso[task.setsecret]sv=2025&sig=abc\n##[group]Uploading arti',
        ),
        ...view.push('facts\nurl https://st.blob/c/a.zip?sv=2025&sig=abc done\n##[endgroup]\n'),
        ...view.push(
          '##vso[task.logissue type=warning;]slow region\n##vso[task.issue ' +
            'type=error;source=TaskInternal;]failed with sv=2025&sig=abc\n',
        ),
        ...view.push(
          '##vso[task.setprogress value=40;]Building\n##vso[task.setvariable ' +
            'variable=imageVersionId;isOutput=true;]/sub/x\n',
        ),
        ...view.push('##vso[task.complete result=Failed;done=true;]Build failed'),
        ...view.end(),
      ];
      assert.deepStrictEqual(lines, [
        '▼ Uploading artifacts',
        '  url https://st.blob/c/a.zip?*** done',
        'WARNING: slow region',
        'ERROR: failed with ***',
      ]);
      assert.deepStrictEqual(view.result, { result: 'Failed', message: 'Build failed' });
      assert.deepStrictEqual(view.outputs, { imageVersionId: '/sub/x' });
    },
  );

  it('reads secrets back as the agent does (task-lib escapes % in command data)', () => {
    const view = new LogView();
    assert.deepStrictEqual(view.push('##vso[task.setsecret]sig=a%AZP252Bb\nurl?sig=a%2Bb\n'), [
      'url?***',
    ]);
  });

  it('shows debug lines only when asked', () => {
    assert.deepStrictEqual(new LogView({ debug: true }).push('##vso[task.debug]detail\n'), [
      'DEBUG: detail',
    ]);
  });
});
