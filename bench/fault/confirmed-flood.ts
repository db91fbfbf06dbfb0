/**
 * The publishing half of a kill -9 check, shared by bench/fault/crash-loop.ts
 * and test/integration/durability/crash.test.ts: publish persistent messages
 * with ids `<prefix>-<n>` under publisher confirms, at most `window`
 * unconfirmed, until `killAfterMs` has passed, then run `kill` (the broker
 * dies mid-stream). Every id the broker confirmed is recorded — even one that
 * raced the kill, since the broker did send that confirm.
 */
import type { ConfirmChannel } from 'amqplib';

export interface FloodResult {
  published: number;
  confirmed: Set<string>;
  /** performance.now() when the kill started */
  killTime: number;
}

export async function floodUntilKilled(
  ch: ConfirmChannel,
  queue: string,
  prefix: string,
  window: number,
  killAfterMs: number,
  kill: () => Promise<unknown>,
): Promise<FloodResult> {
  const confirmed = new Set<string>();
  let outstanding = 0;
  let killed = false;
  let killTime = 0;
  let wake: (() => void) | null = null;
  const killer = new Promise<void>((r) => setTimeout(r, killAfterMs)).then(async () => {
    killTime = performance.now();
    killed = true;
    wake?.();
    await kill();
  });
  let seq = 0;
  while (!killed) {
    if (outstanding >= window) {
      await new Promise<void>((r) => (wake = r));
      wake = null;
      continue;
    }
    const id = `${prefix}-${seq++}`;
    outstanding++;
    ch.sendToQueue(queue, Buffer.from(id), { persistent: true, messageId: id }, (err: unknown) => {
      outstanding--;
      if (!err) confirmed.add(id);
      wake?.();
    });
    if (seq % 64 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  await killer;
  return { published: seq, confirmed, killTime };
}
