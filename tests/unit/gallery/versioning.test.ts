import * as assert from 'assert';
import {
  compareVersions,
  latestVersion,
  nextVersion,
  versionFromBuildNumber,
  versionProblem,
} from '../../../tasks/common/gallery/versioning';

describe('gallery: version names', () => {
  it('accepts Major.Minor.Patch within 32-bit integers and says what is wrong otherwise', () => {
    assert.strictEqual(versionProblem('1.0.0'), undefined);
    assert.strictEqual(versionProblem('2026.1121.3'), undefined);
    assert.strictEqual(versionProblem('2147483647.0.0'), undefined);
    assert.match(versionProblem('1.0')!, /not of the form Major\.Minor\.Patch/);
    assert.match(versionProblem('1.0.0.0')!, /not of the form/);
    assert.match(versionProblem('v1.0.0')!, /not of the form/);
    assert.match(versionProblem('1.0.0-beta')!, /not of the form/);
    assert.match(versionProblem('1.02.0')!, /leading zero; write 1\.2\.0/);
    assert.match(versionProblem('2147483648.0.0')!, /above 2147483647/);
  });

  it('orders numerically, not as text', () => {
    assert.ok(compareVersions('1.10.0', '1.9.0') > 0);
    assert.ok(compareVersions('2.0.0', '10.0.0') < 0);
    assert.strictEqual(compareVersions('1.2.3', '1.2.3'), 0);
    assert.strictEqual(latestVersion(['1.9.0', '1.10.0', '1.2.30']), '1.10.0');
    assert.strictEqual(latestVersion([]), undefined);
  });

  it('next patch, minor and major after the highest existing version; 1.0.0 when none', () => {
    const existing = ['1.9.0', '1.10.2', '1.2.30'];
    assert.strictEqual(nextVersion(existing, 'patch'), '1.10.3');
    assert.strictEqual(nextVersion(existing, 'minor'), '1.11.0');
    assert.strictEqual(nextVersion(existing, 'major'), '2.0.0');
    assert.strictEqual(nextVersion([], 'patch'), '1.0.0');
    assert.throws(() => nextVersion(['1.0.2147483647'], 'patch'), /would exceed 2147483647/);
  });

  it('maps build numbers to readable, ordered versions', () => {
    assert.strictEqual(versionFromBuildNumber('20261121.3'), '2026.1121.3');
    assert.strictEqual(versionFromBuildNumber('20260105.12'), '2026.105.12');
    assert.ok(
      compareVersions(versionFromBuildNumber('20260105.1'), versionFromBuildNumber('20261121.1')) <
        0,
      'January before November',
    );
    assert.strictEqual(versionFromBuildNumber('golden_main_20261121.2'), '2026.1121.2');
    assert.strictEqual(versionFromBuildNumber('20261121'), '2026.1121.0');
    assert.strictEqual(versionFromBuildNumber('1.4.2'), '1.4.2');
    assert.strictEqual(versionFromBuildNumber('Release-12'), '12.0.0');
    assert.strictEqual(versionFromBuildNumber('7.2'), '7.2.0');
    assert.strictEqual(versionFromBuildNumber('01.02.03'), '1.2.3');
    // 8 digits that are not a date stay one number.
    assert.strictEqual(versionFromBuildNumber('20261341.1'), '20261341.1.0');
  });

  it('refuses build numbers that make no version, saying what to do', () => {
    assert.throws(
      () => versionFromBuildNumber('nightly'),
      /has no numbers.*versionStrategy: explicit/,
    );
    assert.throws(() => versionFromBuildNumber('1.0.20261121.2'), /has 4 numbers.*three/);
    assert.throws(
      () => versionFromBuildNumber('20261121.1.2'),
      /has 4 numbers \(2026, 1121, 1, 2\)/,
    );
    assert.throws(() => versionFromBuildNumber('99999999999.1'), /above 2147483647/);
  });
});
