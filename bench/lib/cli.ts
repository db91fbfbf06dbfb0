/**
 * What every bench CLI shares: numeric flag parsing, a timestamped stderr
 * logger, the list of brokers it started with one idempotent cleanup that
 * also runs on SIGINT/SIGTERM, and choosing scenarios by name.
 */
import type { BrokerHandle } from '../peers/types.js';

/** A non-negative number from a flag value, or an error naming the flag. */
export function num(name: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
  return n;
}

/** `[prefix HH:MM:SS] message` on stderr unless quiet. */
export function benchLogger(prefix: string, quiet: boolean | undefined): (m: string) => void {
  return (m) => {
    if (!quiet) console.error(`[${prefix} ${new Date().toISOString().slice(11, 19)}] ${m}`);
  };
}

/** Brokers started by this run; `cleanup()` stops them (last first), once, also on SIGINT/SIGTERM. */
export class BrokerSet {
  private readonly brokers: BrokerHandle[] = [];
  private cleaning: Promise<void> | undefined;

  constructor() {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        console.error(`\n${sig}: stopping brokers…`);
        void this.cleanup().finally(() => process.exit(130));
      });
    }
  }

  push(b: BrokerHandle): void {
    this.brokers.push(b);
  }

  cleanup(): Promise<void> {
    this.cleaning ??= (async () => {
      for (const b of this.brokers.splice(0).reverse()) {
        try {
          await b.stop();
        } catch (err) {
          console.error(`stopping ${b.name} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.cleaning;
  }
}

/** `all` or a comma list of names → the scenarios; an unknown name throws with the usage text. */
export function pickScenarios<S extends { readonly name: string }>(arg: string | undefined, all: readonly S[], usage: string): S[] {
  const names = arg === 'all' ? all.map((s) => s.name) : (arg ?? '').split(',');
  return names.map((n) => {
    const s = all.find((x) => x.name === n.trim());
    if (!s) throw new Error(`unknown scenario "${n}"\n\n${usage}`);
    return s;
  });
}

/** Runs a CLI's main, prints its error, always stops the brokers, exits with its code. */
export async function runMain(main: () => Promise<number>, brokers: BrokerSet): Promise<never> {
  let code = 1;
  try {
    code = await main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
  } finally {
    await brokers.cleanup();
  }
  process.exit(code);
}
