/**
 * The committed spec.generated.ts is exactly what gen.ts produces from the
 * committed spec JSON, and carries the do-not-edit header.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../../../../protocols/amqp091/codec/gen.js';

describe('spec.generated.ts', () => {
  it('is up to date with gen.ts (run: npx tsx protocols/amqp091/codec/gen.ts)', () => {
    const committed = readFileSync(new URL('../../../../protocols/amqp091/codec/spec.generated.ts', import.meta.url), 'utf8');
    expect(committed.startsWith('// generated — do not edit')).toBe(true);
    expect(committed === generate()).toBe(true);
  });
});
