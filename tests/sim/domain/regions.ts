// Azure regions as the compute services report them. Gallery image versions echo target regions
// with their display name ("East US") whatever the client sent ("eastus"), so callers must compare
// normalised.

const DISPLAY_NAMES: Record<string, string> = {
  eastus: 'East US',
  eastus2: 'East US 2',
  westus: 'West US',
  westus2: 'West US 2',
  westus3: 'West US 3',
  centralus: 'Central US',
  northcentralus: 'North Central US',
  southcentralus: 'South Central US',
  westcentralus: 'West Central US',
  canadacentral: 'Canada Central',
  canadaeast: 'Canada East',
  brazilsouth: 'Brazil South',
  northeurope: 'North Europe',
  westeurope: 'West Europe',
  uksouth: 'UK South',
  ukwest: 'UK West',
  francecentral: 'France Central',
  germanywestcentral: 'Germany West Central',
  switzerlandnorth: 'Switzerland North',
  norwayeast: 'Norway East',
  swedencentral: 'Sweden Central',
  polandcentral: 'Poland Central',
  italynorth: 'Italy North',
  spaincentral: 'Spain Central',
  eastasia: 'East Asia',
  southeastasia: 'Southeast Asia',
  japaneast: 'Japan East',
  japanwest: 'Japan West',
  koreacentral: 'Korea Central',
  australiaeast: 'Australia East',
  australiasoutheast: 'Australia Southeast',
  centralindia: 'Central India',
  southindia: 'South India',
  uaenorth: 'UAE North',
  southafricanorth: 'South Africa North',
  israelcentral: 'Israel Central',
  qatarcentral: 'Qatar Central',
  mexicocentral: 'Mexico Central',
};

/** "East US" / "eastus" / "East us" -> "eastus". */
export function regionKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** The display name Azure reports for a region; unknown regions are echoed as given. */
export function regionDisplayName(name: string): string {
  return DISPLAY_NAMES[regionKey(name)] ?? name;
}

export function sameRegion(a: string, b: string): boolean {
  return regionKey(a) === regionKey(b);
}
