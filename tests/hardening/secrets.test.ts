import { secretScanSuite } from '../e2e/secretRuns';

describe('hardening: secrets scan of each task (System.Debug unset)', function () {
  secretScanSuite(false);
});
