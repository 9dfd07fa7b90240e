/**
 * The customisers that bring the build-artifacts archive onto the VM and unpack it before the
 * user's script: a File customiser (Image Builder downloads it), or a script that downloads it
 * with a token of a build VM identity from the VM's metadata endpoint, or with a SAS put in only
 * when the template is sent. Each checks the archive's sha256.
 */
import { PackagedFolder } from '../../artifacts';
import { OsType } from '../inputs/params';
import { Customizer } from '../template/customizers';

/** Stands for the SAS URL in the printed and hashed template. */
export const SAS_PLACEHOLDER = '<read-only SAS URL of the artifacts archive>';

/**
 * The VM's instance metadata endpoint: a token for the blob service, for one of the VM's
 * identities.
 */
const IMDS_TOKEN_URL =
  'http://169.254.169.254/metadata/identity/oauth2' +
  '/token?api-version=2018-02-01&resource=https://storage.azure.com/';

/** A blob service version that takes bearer tokens (2017-11-09 or later). */
const BLOB_API_VERSION = '2023-11-03';

export interface Placement {
  dir: string;
  zip: string;
  target: string;
}

export function onVm(osType: OsType, folderName: string): Placement {
  return osType === 'Windows'
    ? {
        dir: 'C:\\BuildArtifacts',
        zip: `C:\\BuildArtifacts\\${folderName}.zip`,
        target: `C:\\BuildArtifacts\\${folderName}`,
      }
    : { dir: '/tmp', zip: `/tmp/${folderName}.zip`, target: `/tmp/${folderName}` };
}

function unpackLines(osType: OsType, p: Placement): string[] {
  return osType === 'Windows'
    ? [
        `Expand-Archive -LiteralPath '${p.zip}' -DestinationPath '${p.target}' -Force`,
        `Remove-Item -LiteralPath '${p.zip}' -Force`,
        `Write-Host 'Build artifacts unpacked to ${p.target}'`,
      ]
    : [
        `mkdir -p '${p.target}'`,
        `if command -v unzip >/dev/null 2>&1; then unzip -o -q '${p.zip}' -d ` +
          `'${p.target}'; else python3 -m zipfile -e '${p.zip}' '${p.target}'; fi`,
        `rm -f '${p.zip}'`,
        `echo 'Build artifacts unpacked to ${p.target}'`,
      ];
}

export function fileCustomizers(
  packaged: PackagedFolder,
  osType: OsType,
  p: Placement,
): Customizer[] {
  const steps: Customizer[] = [];
  // AIB's File customiser needs the destination folder to exist on Windows.
  if (osType === 'Windows')
    steps.push({
      type: 'PowerShell',
      name: 'artifacts-folder',
      inline: [`New-Item -ItemType Directory -Force -Path '${p.dir}' | Out-Null`],
    });
  steps.push({
    type: 'File',
    name: 'artifacts-download',
    sourceUri: packaged.url,
    sha256Checksum: packaged.sha256,
    destination: p.zip,
  });
  steps.push(
    osType === 'Windows'
      ? {
          type: 'PowerShell',
          name: 'artifacts-unpack',
          inline: ["$ErrorActionPreference = 'Stop'", ...unpackLines(osType, p)],
        }
      : { type: 'Shell', name: 'artifacts-unpack', inline: ['set -e', ...unpackLines(osType, p)] },
  );
  return steps;
}

/**
 * Downloads the archive on the VM with a storage token for the VM identity `clientId` from the
 * metadata endpoint.
 */
export function identityCustomizer(
  packaged: PackagedFolder,
  osType: OsType,
  p: Placement,
  clientId: string,
): Customizer {
  const imds = `${IMDS_TOKEN_URL}&client_id=${clientId}`;
  const download =
    osType === 'Windows'
      ? [
          `$token = (Invoke-RestMethod -UseBasicParsing -Headers @{ Metadata = 'true' } -Uri ` +
            `'${imds}').access_token`,
          `Invoke-WebRequest -UseBasicParsing -Headers @{ Authorization = "Bearer $token"; ` +
            `'x-ms-version' = '${BLOB_API_VERSION}' } -Uri '${packaged.url}' -OutFile ` +
            `'${p.zip}'`,
        ]
      : [
          // No jq on a bare image: the token is cut out of IMDS's one-line JSON; the metadata
          // endpoint is never proxied.
          `IMDS=$(curl -fsS --retry 5 --noproxy '*' -H 'Metadata: true' '${imds}')`,
          `TOKEN=$(printf '%s' "$IMDS" | sed -n 's/.*"access_token": *"\\([^"]*\\)".*/\\1/p')`,
          `curl -fsS --retry 5 -H "Authorization: Bearer $TOKEN" -H 'x-ms-version: ` +
            `${BLOB_API_VERSION}' -o '${p.zip}' '${packaged.url}'`,
        ];
  return downloadAndUnpack(packaged, osType, p, download);
}

export function sasCustomizer(packaged: PackagedFolder, osType: OsType, p: Placement): Customizer {
  const download =
    osType === 'Windows'
      ? [`Invoke-WebRequest -UseBasicParsing -Uri '${SAS_PLACEHOLDER}' -OutFile '${p.zip}'`]
      : [`curl -fsS --retry 5 -o '${p.zip}' '${SAS_PLACEHOLDER}'`];
  return downloadAndUnpack(packaged, osType, p, download);
}

/** Runs `download` (the lines that fetch the archive), checks its sha256 and unpacks it. */
function downloadAndUnpack(
  packaged: PackagedFolder,
  osType: OsType,
  p: Placement,
  download: string[],
): Customizer {
  if (osType === 'Windows') {
    return {
      type: 'PowerShell',
      name: 'artifacts-unpack',
      inline: [
        "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'",
        `New-Item -ItemType Directory -Force -Path '${p.dir}' | Out-Null`,
        ...download,
        `if ((Get-FileHash -Algorithm SHA256 -LiteralPath '${p.zip}').Hash -ne ` +
          `'${packaged.sha256.toUpperCase()}') { throw 'The build artifacts archive does not ` +
          `match its sha256 checksum.' }`,
        ...unpackLines(osType, p),
      ],
    };
  }
  return {
    type: 'Shell',
    name: 'artifacts-unpack',
    inline: [
      'set -e',
      ...download,
      `printf '%s  %s\\n' '${packaged.sha256}' '${p.zip}' | sha256sum -c --quiet -`,
      ...unpackLines(osType, p),
    ],
  };
}
