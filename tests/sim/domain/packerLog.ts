// Lines in the format of AIB's build log (customization.log and the build container's output),
// after the examples in Microsoft's "Troubleshoot Azure VM Image Builder" guide and Packer's own
// messages:
//   [<runId>] PACKER OUT ==> azure-arm: Provisioning with powershell script: ...   (Packer UI
// "say")
//   [<runId>] PACKER OUT     azure-arm: <script output>                            (Packer UI
// "message")
//   [<runId>] PACKER ERR 2024/11/21 12:00:00 [INFO] (telemetry) Starting provisioner powershell
//   [<runId>] PACKER ERR 2024/11/21 12:00:00 packer-provisioner-powershell plugin: Found command:
// ...
//   [<runId>] <AIB service lines, e.g. downloads of external files>

export type LineSink = (line: string) => void;

/** "2006/01/02 15:04:05" as Go's log package prints it. */
export function goLogTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
  );
}

/** Packer's duration wording: "12 minutes 4 seconds", "45 seconds". */
export function packerDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h} hour${h === 1 ? '' : 's'}`);
  if (m) parts.push(`${m} minute${m === 1 ? '' : 's'}`);
  if (s || parts.length === 0) parts.push(`${s} second${s === 1 ? '' : 's'}`);
  return parts.join(' ');
}

export class PackerLog {
  constructor(
    private readonly runId: string,
    private readonly sink: LineSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A raw "PACKER OUT" line. */
  out(text: string): void {
    this.sink(`[${this.runId}] PACKER OUT ${text}`.trimEnd());
  }

  /** A "PACKER ERR" debug line with Go's log timestamp. */
  err(text: string): void {
    this.sink(`[${this.runId}] PACKER ERR ${goLogTime(this.now())} ${text}`);
  }

  /** Packer UI "say": `==> azure-arm: ...`. */
  say(text: string): void {
    this.out(`==> azure-arm: ${text}`);
  }

  /** Packer UI "message" (remote output): `    azure-arm: ...`. */
  message(text: string): void {
    this.out(`    azure-arm: ${text}`);
  }

  /** A line of the image builder service itself (not Packer). */
  service(text: string): void {
    this.sink(`[${this.runId}] ${text}`);
  }

  startProvisioner(name: string): void {
    this.err(`[INFO] (telemetry) Starting provisioner ${name}`);
  }

  endProvisioner(name: string): void {
    this.err(`[INFO] (telemetry) ending ${name}`);
  }
}
