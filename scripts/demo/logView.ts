/**
 * Renders a task's raw output as the pipeline's web view shows it: logging commands consumed,
 * collapsible sections marked, errors and warnings flagged, debug hidden, every registered secret
 * replaced by *** (the agent masks them, not the task).
 */
export interface LogViewOptions {
  debug?: boolean;
  color?: boolean;
}

const COMMAND = /^##vso\[([\w.]+)([^\]]*)\](.*)$/;
const FORMAT = /^##\[(group|endgroup|error|warning|section|command|debug)\](.*)$/;

export class LogView {
  private readonly secrets = new Set<string>();
  private partial = '';
  private depth = 0;
  readonly outputs: Record<string, string> = {};
  result?: { result: string; message: string };

  constructor(private readonly options: LogViewOptions = {}) {}

  /** Feeds raw output; returns the rendered lines completed by this chunk. */
  push(chunk: string): string[] {
    const lines = (this.partial + chunk).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    return lines.flatMap((line) => this.render(line));
  }

  /** Renders whatever is left after the process ended. */
  end(): string[] {
    const rest = this.partial ? this.render(this.partial) : [];
    this.partial = '';
    return rest;
  }

  private render(raw: string): string[] {
    const command = COMMAND.exec(raw);
    if (command) return this.command(command[1], parseProps(command[2]), unescapeData(command[3]));
    const format = FORMAT.exec(raw);
    if (format) {
      const [, kind, text] = format;
      switch (kind) {
        case 'group':
          this.depth = 1;
          return [this.paint('1', `▼ ${this.mask(text)}`)];
        case 'endgroup':
          this.depth = 0;
          return [];
        case 'error':
          return [this.indent(this.paint('31', `ERROR: ${this.mask(text)}`))];
        case 'warning':
          return [this.indent(this.paint('33', `WARNING: ${this.mask(text)}`))];
        case 'section':
          return [this.paint('32', this.mask(text))];
        case 'command':
          return [this.indent(this.paint('34', this.mask(text)))];
        default:
          return this.options.debug
            ? [this.indent(this.paint('35', `DEBUG: ${this.mask(text)}`))]
            : [];
      }
    }
    return [this.indent(this.mask(raw))];
  }

  private command(name: string, props: Record<string, string>, value: string): string[] {
    switch (name.toLowerCase()) {
      case 'task.setsecret':
        if (value) this.secrets.add(value);
        return [];
      case 'task.issue':
      case 'task.logissue': {
        const error = props.type === 'error';
        return [
          this.indent(
            this.paint(error ? '31' : '33', `${error ? 'ERROR' : 'WARNING'}: ${this.mask(value)}`),
          ),
        ];
      }
      case 'task.debug':
        return this.options.debug
          ? [this.indent(this.paint('35', `DEBUG: ${this.mask(value)}`))]
          : [];
      case 'task.setvariable':
        if (props.issecret === 'true' && value) this.secrets.add(value);
        if (props.variable)
          this.outputs[props.variable] = props.issecret === 'true' ? '***' : this.mask(value);
        return [];
      case 'task.uploadsummary':
        return [this.indent(this.paint('36', `(summary attached to the run: ${value})`))];
      case 'task.addattachment':
        return [this.indent(this.paint('36', `(attached to the run: ${props.name ?? value})`))];
      case 'task.complete':
        this.result = { result: props.result ?? 'Unknown', message: this.mask(value) };
        return [];
      default: // progress, build tags and the like live outside the log in the web view
        return [];
    }
  }

  private mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  private indent(text: string): string {
    return this.depth ? `  ${text}` : text;
  }

  private paint(code: string, text: string): string {
    return this.options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }
}

function parseProps(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const part of text.trim().split(';')) {
    const at = part.indexOf('=');
    if (at > 0)
      props[part.slice(0, at).trim().toLowerCase()] = unescapeData(
        part
          .slice(at + 1)
          .trim()
          .replace(/%3B/g, ';')
          .replace(/%5D/g, ']'),
      );
  }
  return props;
}

/**
 * task-lib escapes a command's data (`%` as %AZP25, line breaks as %0D/%0A); the agent reads it
 * back.
 */
function unescapeData(text: string): string {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%AZP25/g, '%');
}
