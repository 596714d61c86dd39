/**
 * The one command-line reader of the benches: each bench declares its flags and defaults, and this
 * applies them, so every bench refuses unknown flags and bad numbers with the same messages.
 */
export type Flag<T> =
  /** A positive integer into `key`. */
  | { kind: 'int'; key: keyof T }
  /** A string into `key`. */
  | { kind: 'string'; key: keyof T }
  /** Sets `key` to true. */
  | { kind: 'set'; key: keyof T }
  /** A flag the caller read before (a mode selector such as --quick); `value` when it takes one. */
  | { kind: 'known'; value?: boolean }
  /** A value checked by the caller; it throws with its own message. */
  | { kind: 'read'; read: (value: string) => void };

export function readArgs<T extends object>(
  argv: readonly string[],
  usage: string,
  options: T,
  flags: Record<string, Flag<T>>,
): T {
  const target = options as Record<keyof T, unknown>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${usage}`);
      return v;
    };
    if (arg === '--help') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const flag = Object.hasOwn(flags, arg) ? flags[arg] : undefined;
    if (flag === undefined) throw new Error(`unknown option ${arg}\n${usage}`);
    switch (flag.kind) {
      case 'int': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0) throw new Error(`${arg} needs a positive integer\n${usage}`);
        target[flag.key] = n;
        break;
      }
      case 'string':
        target[flag.key] = value();
        break;
      case 'set':
        target[flag.key] = true;
        break;
      case 'known':
        if (flag.value) value();
        break;
      case 'read':
        flag.read(value());
        break;
    }
  }
  return options;
}
