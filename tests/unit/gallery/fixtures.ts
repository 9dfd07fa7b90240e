import { InputReader } from '../../../tasks/common/core/inputReader';

export { PIPELINE } from '../../support/pipelineInfo';

export function inputs(values: Record<string, string>): InputReader {
  return new InputReader({ get: (n) => values[n] || undefined, secret: () => undefined });
}

export const SUB = '1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f';
export const IMAGE =
  `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute` + `/images/img-1`;
export const VM =
  `/subscriptions/${SUB}/resourceGroups/rg-build/providers/Microsoft.Compute/virtualMachines` +
  `/vm-1`;
export const DEF =
  `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries` +
  `/golden/images/win11`;
