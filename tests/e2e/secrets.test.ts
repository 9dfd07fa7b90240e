import { secretScanSuite } from './secretRuns';

// With System.Debug true: the stricter run (debug lines shown). Without it: tests/hardening.
describe('e2e: secrets scan of each task (System.Debug true)', function () {
  secretScanSuite(true);
});
