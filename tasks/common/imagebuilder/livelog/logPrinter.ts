/**
 * Prints the build log's lines into the pipeline log: a collapsible section per customiser
 * (Packer's "Starting provisioner" / "ending" telemetry lines mark them), the run id prefix
 * dropped, logging commands in the build's own output defused. Keeps every line for the attachment,
 * and the lines of the section that failed to explain a failure.
 */
import { Logger } from '../../core/logger';

const START = /\(telemetry\) Starting provisioner (\S+)/;
const END = /\(telemetry\) ending (\S+)/;
const RUN_ID = /^\[([0-9a-f-]{36})\] /i;

/** Packer's own progress lines, which say nothing about why a step failed. */
const CHATTER = new RegExp(
  `^(${[
    'Provisioning with',
    'Uploading',
    'Restarting',
    'Waiting for',
    'Running Windows update',
    'Machine successfully',
    'Provisioning step had errors',
    'Deleting individual resources',
    'Querying',
    'Powering off',
    'Generalizing',
    'Capturing',
    'Getting',
    'Using existing',
    'Validating deployment',
    'Deploying deployment',
    ' -> ',
  ].join('|')})`,
);

export class LogPrinter {
  /** Every line as written (with its run id), for the attachment. */
  readonly all: string[] = [];
  runId?: string;
  /** Provisioners started so far (customisers, then deprovisioning, then validators). */
  started = 0;
  private section: string[] = [];
  private grouped = false;

  constructor(
    private readonly log: Logger,
    private readonly customizers: string[],
  ) {}

  line(raw: string): void {
    this.all.push(raw);
    const id = RUN_ID.exec(raw);
    if (id) this.runId ??= id[1];
    const text = id ? raw.slice(id[0].length) : raw;
    const start = START.exec(text);
    if (start) {
      this.openGroup(this.titleFor(this.started, start[1]));
      this.started++;
      this.section = [];
    } else if (this.all.length === 1) {
      this.openGroup('Image Builder: preparing the build VM');
    }
    this.section.push(text);
    // `##vso[` anywhere in a line is a logging command to the agent; the build's output must not
    // issue any.
    this.log.info(text.replace(/##(vso)?\[/g, '#\u200b#$1['));
    if (END.test(text)) this.closeGroup();
  }

  private titleFor(index: number, provisioner: string): string {
    const n = this.customizers.length;
    if (index < n) return `Customizer ${index + 1} of ${n}: ${this.customizers[index]}`;
    if (index === n) return `Image Builder: generalize and capture (${provisioner})`;
    return `Image Builder: validation (${provisioner})`;
  }

  private openGroup(title: string): void {
    this.log.group(title);
    this.grouped = true;
  }

  closeGroup(): void {
    if (this.grouped) this.log.endGroup();
    this.grouped = false;
  }

  /** The lines that explain a failure: the failed step's own error output and Packer's verdict. */
  explanation(): string[] {
    const out: string[] = [];
    for (const text of this.section) {
      const say = /^PACKER OUT ==> azure-arm: (.*)$/.exec(text);
      if (say && !CHATTER.test(say[1])) out.push(say[1]);
    }
    for (const text of this.all.map((l) => l.replace(RUN_ID, ''))) {
      const verdict =
        /^PACKER OUT (?:Build 'azure-arm' errored after .*|--> azure-arm: (.*))$/.exec(text);
      // Packer repeats the reason in its closing summary ("--> azure-arm: <reason>"): once is
      // enough.
      if (
        verdict &&
        !(verdict[1] && out.some((l) => l.includes(verdict[1]))) &&
        !/VMImage:$/.test(text)
      )
        out.push(text.replace(/^PACKER OUT (--> )?/, ''));
      else if (/\[attempt \d+ of \d+\] failed|^Checksum validation .* failed/.test(text))
        out.push(text);
    }
    return [...new Set(out)];
  }
}
