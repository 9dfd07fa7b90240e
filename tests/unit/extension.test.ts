import * as assert from 'assert';
import Ajv from 'ajv-draft-04';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bumpVersion } from '../../scripts/bumpVersion';
import { ROOT, TASKS } from '../../scripts/tasks';

const SCHEMA = path.resolve(ROOT, '..', 'shared', 'contracts', 'tasks.schema.json');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const taskJson = (task: string) => readJson(path.join(ROOT, 'tasks', task, 'task.json'));

// A visibleRule condition: `name op value`, with the agent's operators (the word ones between
// spaces); a value does not start with another operator character.
const NAME = '([A-Za-z][\\w.]*)';
const SYMBOL = '\\s*(?:<=|>=|!=|=|<|>)\\s*';
const WORD = '\\s+(?:Not)?(?:Contains|EndsWith|StartsWith)\\s+';
const CONDITION = new RegExp(`^${NAME}(?:${SYMBOL}|${WORD})(?![=<>!])\\S.*$`);

/**
 * What is wrong with a visibleRule as the agent reads it: `name op value` conditions joined by
 * `&&` or by `||`, never both (the agent does not support mixing them), each naming an input.
 */
function visibleRuleProblems(rule: string, inputs: Set<string>): string[] {
  if (rule.includes('&&') && rule.includes('||')) return [`mixes && and ||: ${rule}`];
  return rule.split(/&&|\|\|/).flatMap((condition) => {
    const m = CONDITION.exec(condition.trim());
    if (!m) return [`'${condition.trim()}' is not 'name operator value'`];
    return inputs.has(m[1]) ? [] : [`'${m[1]}' is not an input`];
  });
}

describe('extension definition', () => {
  it('every task.json validates against the official task schema', () => {
    assert.ok(
      fs.existsSync(SCHEMA),
      `the official schema is expected at ${SCHEMA} (shared/ beside the repository)`,
    );
    // The schema's patterns are not valid unicode regular expressions.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(readJson(SCHEMA));
    for (const task of TASKS) {
      assert.ok(validate(taskJson(task)), `${task}/task.json: ${ajv.errorsText(validate.errors)}`);
    }
  });

  it(
    'each task: major version 1, Node20_1 and Node24 handlers on its bundle, an AzureRM ' +
      'connection input, help everywhere',
    () => {
      const ids = new Set<string>();
      for (const task of TASKS) {
        const t = taskJson(task);
        assert.strictEqual(t.name, task);
        assert.strictEqual(t.version.Major, 1, `${task} major`);
        assert.deepStrictEqual(Object.keys(t.execution).sort(), ['Node20_1', 'Node24']);
        for (const handler of Object.values<{ target: string }>(t.execution))
          assert.strictEqual(handler.target, 'index.js');
        const conn = t.inputs.find((i: { name: string }) => i.name === 'azureSubscription');
        assert.ok(conn, `${task} has azureSubscription`);
        assert.strictEqual(conn.type, 'connectedService:AzureRM');
        for (const input of t.inputs)
          assert.ok(input.helpMarkDown, `${task}.${input.name} has helpMarkDown`);
        assert.ok(fs.existsSync(path.join(ROOT, 'tasks', task, 'icon.png')), `${task} icon`);
        ids.add(t.id);
      }
      assert.strictEqual(ids.size, TASKS.length, 'task ids are unique');
    },
  );

  it(
    'every visibleRule parses as the agent reads it (&& or ||, never both) and names only ' +
      "the task's own inputs",
    () => {
      const names = new Set(['action', 'restart']);
      assert.deepStrictEqual(visibleRuleProblems('action != cleanup', names), []);
      assert.deepStrictEqual(
        visibleRuleProblems('action=wait || action NotEndsWith ""', names),
        [],
      );
      assert.deepStrictEqual(
        visibleRuleProblems('action = a && restart = true || action = b', names),
        ['mixes && and ||: action = a && restart = true || action = b'],
      );
      assert.deepStrictEqual(visibleRuleProblems('action == wait && reboot = true', names), [
        "'action == wait' is not 'name operator value'",
        "'reboot' is not an input",
      ]);
      assert.deepStrictEqual(visibleRuleProblems('actionContains wait', names), [
        "'actionContains wait' is not 'name operator value'",
      ]);

      const problems: string[] = [];
      for (const task of TASKS) {
        const t = taskJson(task) as {
          inputs: { name: string; visibleRule?: string }[];
          groups?: { name: string; visibleRule?: string }[];
        };
        const inputs = new Set(t.inputs.map((i) => i.name));
        for (const { name, visibleRule } of [...(t.groups ?? []), ...t.inputs])
          if (visibleRule !== undefined)
            problems.push(
              ...visibleRuleProblems(visibleRule, inputs).map((p) => `${task}.${name}: ${p}`),
            );
      }
      assert.deepStrictEqual(problems, []);
    },
  );

  it('vss-extension.json contributes the four tasks, from images/ and overview.md', () => {
    const m = readJson(path.join(ROOT, 'vss-extension.json'));
    assert.deepStrictEqual(m.categories, ['Azure Pipelines']);
    assert.ok(fs.existsSync(path.join(ROOT, m.icons.default)));
    assert.strictEqual(m.content.details.path, 'overview.md');
    assert.deepStrictEqual(
      m.contributions.map((c: { type: string; properties: { name: string } }) => [
        c.type,
        c.properties.name,
      ]),
      TASKS.map((t) => ['ms.vss-distributed-task.task', `tasks/${t}`]),
    );
  });

  it('versions agree, and the bump script moves them together', () => {
    const version = readJson(path.join(ROOT, 'package.json')).version;
    assert.strictEqual(readJson(path.join(ROOT, 'vss-extension.json')).version, version);
    for (const task of TASKS) {
      const v = taskJson(task).version;
      assert.strictEqual(`${v.Major}.${v.Minor}.${v.Patch}`, version, task);
    }
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-bump-'));
    for (const file of [
      'package.json',
      'vss-extension.json',
      ...TASKS.map((t) => `tasks/${t}/task.json`),
    ]) {
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
    }
    const [major, minor, patch] = version.split('.').map(Number);
    assert.strictEqual(bumpVersion('patch', copy), `${major}.${minor}.${patch + 1}`);
    assert.strictEqual(
      readJson(path.join(copy, 'vss-extension.json')).version,
      `${major}.${minor}.${patch + 1}`,
    );
    for (const task of TASKS)
      assert.deepStrictEqual(readJson(path.join(copy, 'tasks', task, 'task.json')).version, {
        Major: major,
        Minor: minor,
        Patch: patch + 1,
      });
    assert.throws(() => bumpVersion('1.2', copy), /'1\.2' is not a version/);
  });
});
