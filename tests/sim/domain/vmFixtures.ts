// A session-host-like VM body as UpdateHostPool would send it, for the VM and AVD agent tests.
import type { VirtualMachine } from '@azure/arm-compute';
import { RG } from './support';

export const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet1`;
export const SUBNET = `${VNET}/subnets/hosts`;

/** A session-host-like VM body, as UpdateHostPool would send it. */
export function vmBody(imageId: string, extra: any = {}): VirtualMachine {
  return {
    location: 'westeurope',
    tags: { role: 'avd' },
    zones: ['1'],
    identity: { type: 'SystemAssigned' },
    hardwareProfile: { vmSize: 'Standard_D4s_v5' },
    securityProfile: {
      securityType: 'TrustedLaunch',
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
    },
    storageProfile: {
      imageReference: { id: imageId },
      osDisk: {
        createOption: 'FromImage',
        deleteOption: 'Delete',
        managedDisk: { storageAccountType: 'StandardSSD_LRS' },
      },
    },
    osProfile: { computerName: 'avd-7', adminUsername: 'avdadmin', adminPassword: 'S3cret!pass' },
    networkProfile: {
      networkApiVersion: '2020-11-01',
      networkInterfaceConfigurations: [
        {
          name: 'nic',
          deleteOption: 'Delete',
          primary: true,
          ipConfigurations: [{ name: 'ipconfig1', subnet: { id: SUBNET } }],
        },
      ],
    },
    licenseType: 'Windows_Client',
    ...extra,
  };
}
