/**
 * Generator for spec.generated.ts: reads amqp-rabbitmq-0.9.1.json (from
 * rabbitmq-codegen, see LICENSE-amqp-spec.txt) and emits, for all methods,
 * typed argument interfaces, the `Method` union, per-method decoders and
 * encoders (consecutive bits packed into octets), method metadata
 * (synchronous / carries content), frame constants and reply codes.
 *
 * Run: npx tsx protocols/amqp091/codec/gen.ts (a unit test checks that the
 * committed spec.generated.ts equals generate()).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface SpecArg { name: string; type?: string; domain?: string; 'default-value'?: unknown }
interface SpecMethod { name: string; id: number; arguments: SpecArg[]; synchronous?: boolean; content?: boolean }
interface SpecClass { name: string; id: number; methods: SpecMethod[] }
interface SpecConstant { name: string; value: number; class?: string }
interface Spec { domains: [string, string][]; constants: SpecConstant[]; classes: SpecClass[] }

type Wire = 'octet' | 'short' | 'long' | 'longlong' | 'timestamp' | 'bit' | 'shortstr' | 'longstr' | 'bytes' | 'table';

interface Field { wire: Wire; prop: string; local: string; specName: string; def: string }
interface MethodDef {
  cls: string; name: string; full: string; classId: number; methodId: number;
  synchronous: boolean; content: boolean; fields: Field[]; pascal: string;
}

/** longstr arguments that may carry arbitrary bytes (SASL responses, secrets): typed Buffer. */
const BINARY_LONGSTR = new Set([
  'connection.start-ok/response',
  'connection.secure/challenge',
  'connection.secure-ok/response',
  'connection.update-secret/new-secret',
]);

/**
 * Arguments renamed because the `Method` union already uses `classId`/`methodId`
 * for the method's own ids: connection.close / channel.close carry the ids of
 * the method that caused the close.
 */
const RENAMED: Record<string, string> = { 'class-id': 'failingClassId', 'method-id': 'failingMethodId' };

const here = new URL('.', import.meta.url);
const spec = JSON.parse(readFileSync(new URL('amqp-rabbitmq-0.9.1.json', here), 'utf8')) as Spec;
const domains = new Map(spec.domains);

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string): string => camel(s).replace(/^[a-z]/, (c) => c.toUpperCase());
const constName = (s: string): string => s.replace(/-/g, '_').toUpperCase();

function resolve(arg: SpecArg): string {
  let t = arg.type ?? arg.domain!;
  while (domains.has(t) && domains.get(t) !== t) t = domains.get(t)!;
  return t;
}

const TS_TYPE: Record<Wire, string> = {
  octet: 'number', short: 'number', long: 'number', longlong: 'number', timestamp: 'number',
  bit: 'boolean', shortstr: 'string', longstr: 'string', bytes: 'Buffer', table: 'FieldTable',
};

function defaultLiteral(wire: Wire, v: unknown): string {
  if (wire === 'bytes') return 'EMPTY';
  if (wire === 'table') return '{}';
  if (v === undefined || v === null) {
    return wire === 'bit' ? 'false' : wire === 'shortstr' || wire === 'longstr' ? "''" : '0';
  }
  return JSON.stringify(v).replace(/"/g, "'");
}

const methods: MethodDef[] = [];
for (const c of spec.classes) {
  for (const m of c.methods) {
    const full = `${c.name}.${m.name}`;
    const fields = m.arguments.map((a): Field => {
      let wire = resolve(a) as Wire;
      if (wire === 'longstr' && BINARY_LONGSTR.has(`${full}/${a.name}`)) wire = 'bytes';
      if (!(wire in TS_TYPE)) throw new Error(`unknown type ${wire} in ${full}`);
      const prop = RENAMED[a.name] ?? camel(a.name);
      return { wire, prop, local: prop === 'arguments' ? 'args' : prop, specName: a.name, def: defaultLiteral(wire, a['default-value']) };
    });
    methods.push({
      cls: c.name, name: m.name, full, classId: c.id, methodId: m.id,
      synchronous: m.synchronous === true, content: m.content === true, fields,
      pascal: pascal(c.name) + pascal(m.name),
    });
  }
}

/** Generates the text of spec.generated.ts from the spec JSON. */
export function generate(): string {
  const out: string[] = [];
  const emit = (s = ''): void => void out.push(s);

  // ---------------------------------------------------------------- header
  emit('// generated — do not edit. Source: amqp-rabbitmq-0.9.1.json (rabbitmq-codegen, see');
  emit('// LICENSE-amqp-spec.txt); generator: gen.ts (npx tsx protocols/amqp091/codec/gen.ts).');
  emit('/**');
  emit(' * AMQP 0-9-1 method definitions: argument types, the `Method` union, decoders');
  emit(' * (method frame payload → Method) and encoders (args → complete method frame),');
  emit(' * method metadata, frame constants and reply codes.');
  emit(' */');
  emit("import type { FieldTable } from '../../../core/index.js';");
  emit("import { AmqpCodecError } from './errors.js';");
  emit("import { decodeTable, tableSize, writeTable } from './table.js';");
  emit('import {');
  emit('  readLongstrBytes, readLongstrText, readShortstr, readU16, readU32, readU64Number, readU8,');
  emit('  shortstrLength, truncated, writeFrameHeader, writeShortstr, writeU16, writeU32, writeU64Number,');
  emit("} from './wire.js';");
  emit();
  emit('const EMPTY: Buffer = Buffer.alloc(0);');
  emit();

  // ---------------------------------------------------------------- constants
  emit('// ---- constants ----');
  const reply: SpecConstant[] = [];
  for (const k of spec.constants) {
    if (k.name.startsWith('FRAME-') && !k.class) {
      const n = k.name === 'FRAME-MIN-SIZE' ? 'SPEC_FRAME_MIN_SIZE' : constName(k.name);
      emit(`export const ${n} = ${k.value};`);
    } else reply.push(k);
  }
  emit();
  emit('/** Reply codes (connection.close / channel.close / basic.return). */');
  emit('export const REPLY = {');
  for (const k of reply) emit(`  ${constName(k.name.replace(/^REPLY-/, ''))}: ${k.value},`);
  emit('} as const;');
  emit();
  emit("/** Reply-code class from the spec: 'soft' closes the channel, 'hard' the connection. */");
  emit("export const REPLY_CLASS: { readonly [code: number]: 'soft' | 'hard' | undefined } = {");
  for (const k of reply) if (k.class) emit(`  ${k.value}: '${k.class === 'hard-error' ? 'hard' : 'soft'}',`);
  emit('};');
  emit();
  emit('/** True for codes of the spec class hard-error (they close the connection). */');
  emit('export function isHardError(code: number): boolean {');
  emit("  return REPLY_CLASS[code] === 'hard';");
  emit('}');
  emit();
  emit('export const CLASS = {');
  for (const c of spec.classes) emit(`  ${constName(c.name)}: ${c.id},`);
  emit('} as const;');
  emit();

  // ---------------------------------------------------------------- types
  emit('// ---- argument types ----');
  for (const m of methods) {
    const flags = [m.synchronous ? 'synchronous' : '', m.content ? 'carries content' : ''].filter(Boolean).join(', ');
    emit(`/** ${m.full} (${m.classId}/${m.methodId})${flags ? ` — ${flags}` : ''} */`);
    if (m.fields.length === 0) {
      emit(`export type ${m.pascal}Args = Record<never, never>;`);
      continue;
    }
    emit(`export interface ${m.pascal}Args {`);
    for (const f of m.fields) emit(`  ${f.prop}: ${TS_TYPE[f.wire]};`);
    emit('}');
  }
  emit();
  emit('/** Method name → argument type. */');
  emit('export interface MethodArgs {');
  for (const m of methods) emit(`  '${m.full}': ${m.pascal}Args;`);
  emit('}');
  emit('export type MethodName = keyof MethodArgs;');
  emit('export type ArgsOf<N extends MethodName> = MethodArgs[N];');
  emit();
  emit('/** A decoded method: name and ids plus its arguments. Discriminate on `name`. */');
  emit('export type Method =');
  for (const m of methods) {
    emit(`  | ({ name: '${m.full}'; classId: ${m.classId}; methodId: ${m.methodId} } & ${m.pascal}Args)`);
  }
  out[out.length - 1] += ';';
  emit();
  emit('export interface MethodInfo {');
  emit('  readonly name: MethodName;');
  emit('  readonly classId: number;');
  emit('  readonly methodId: number;');
  emit('  /** the sender waits for a reply method */');
  emit('  readonly synchronous: boolean;');
  emit('  /** followed by a content header and body frames */');
  emit('  readonly content: boolean;');
  emit('}');
  emit();
  emit('export const METHOD_INFO: { readonly [N in MethodName]: MethodInfo } = {');
  for (const m of methods) {
    emit(`  '${m.full}': { name: '${m.full}', classId: ${m.classId}, methodId: ${m.methodId}, synchronous: ${m.synchronous}, content: ${m.content} },`);
  }
  emit('};');
  emit();
  emit('const INFO_BY_ID = new Map<number, MethodInfo>(Object.values(METHOD_INFO).map((i) => [i.classId * 65536 + i.methodId, i]));');
  emit();
  emit('/** Metadata for a class/method id pair, or undefined when unknown. */');
  emit('export function methodInfo(classId: number, methodId: number): MethodInfo | undefined {');
  emit('  return INFO_BY_ID.get(classId * 65536 + methodId);');
  emit('}');
  emit();

  // ---------------------------------------------------------------- decoders
  emit('// ---- decoders: payload = class-id, method-id, arguments ----');
  for (const m of methods) {
    emit(`function dec${m.pascal}(b: Buffer): Method {`);
    if (m.fields.length > 0) emit('  let o = 4;');
    let bitVar = 0;
    for (let i = 0; i < m.fields.length; i++) {
      const f = m.fields[i]!;
      const adv = (n: string): void => {
        if (i < m.fields.length - 1) emit(`  o += ${n};`);
      };
      switch (f.wire) {
        case 'bit': {
          const v = `bits${++bitVar}`;
          emit(`  const ${v} = readU8(b, o);`);
          for (let k = 0; k < 8 && i < m.fields.length && m.fields[i]!.wire === 'bit'; k++, i++) {
            emit(`  const ${m.fields[i]!.local} = (${v} & ${1 << k}) !== 0;`);
          }
          i--;
          adv('1');
          break;
        }
        case 'octet': emit(`  const ${f.local} = readU8(b, o);`); adv('1'); break;
        case 'short': emit(`  const ${f.local} = readU16(b, o);`); adv('2'); break;
        case 'long': emit(`  const ${f.local} = readU32(b, o);`); adv('4'); break;
        case 'longlong': case 'timestamp': emit(`  const ${f.local} = readU64Number(b, o);`); adv('8'); break;
        case 'shortstr': emit(`  const ${f.local} = readShortstr(b, o);`); adv('1 + b[o]!'); break;
        case 'longstr': emit(`  const ${f.local} = readLongstrText(b, o);`); adv('4 + b.readUInt32BE(o)'); break;
        case 'bytes': emit(`  const ${f.local} = readLongstrBytes(b, o);`); adv('4 + b.readUInt32BE(o)'); break;
        case 'table': emit(`  const ${f.local} = decodeTable(b, o);`); adv('4 + b.readUInt32BE(o)'); break;
      }
    }
    const props = m.fields.map((f) => (f.local === f.prop ? `, ${f.prop}` : `, ${f.prop}: ${f.local}`)).join('');
    emit(`  return { name: '${m.full}', classId: ${m.classId}, methodId: ${m.methodId}${props} };`);
    emit('}');
  }
  emit();
  emit('/**');
  emit(' * Decodes a method frame payload. Unknown class/method → AmqpCodecError 503;');
  emit(' * truncated or malformed arguments → 501 (with classId/methodId set).');
  emit(' */');
  emit('export function decodeMethodPayload(b: Buffer): Method {');
  emit("  if (b.length < 4) truncated('method frame');");
  emit('  const c = (b[0]! << 8) | b[1]!;');
  emit('  const m = (b[2]! << 8) | b[3]!;');
  emit('  try {');
  emit('    switch (c) {');
  const classOrder = [...spec.classes].sort((a, b) => (a.name === 'basic' ? -1 : b.name === 'basic' ? 1 : 0));
  for (const c of classOrder) {
    emit(`      case ${c.id}:`);
    emit('        switch (m) {');
    for (const m of methods.filter((x) => x.classId === c.id)) emit(`          case ${m.methodId}: return dec${m.pascal}(b);`);
    emit('        }');
    emit('        break;');
  }
  emit('    }');
  emit('  } catch (e) {');
  emit('    if (e instanceof AmqpCodecError && e.classId === undefined) throw new AmqpCodecError(e.replyCode, e.message, c, m);');
  emit('    throw e;');
  emit('  }');
  emit('  throw new AmqpCodecError(503, `unknown method ${c}/${m}`, c, m);');
  emit('}');
  emit();

  // ---------------------------------------------------------------- encoders
  emit('// ---- encoders: args → complete method frame (header, payload, frame-end) ----');
  for (const m of methods) {
    emit(`function enc${m.pascal}(ch: number, ${m.fields.length ? 'a' : '_a'}: Partial<${m.pascal}Args>): Buffer {`);
    let fixed = 4;
    const varying: string[] = [];
    let bits = 0;
    for (const f of m.fields) {
      emit(`  const ${f.local} = a.${f.prop} ?? ${f.def};`);
      if (f.wire !== 'bit') bits = 0;
      switch (f.wire) {
        case 'bit': if (bits % 8 === 0) fixed += 1; bits++; break;
        case 'octet': fixed += 1; break;
        case 'short': fixed += 2; break;
        case 'long': fixed += 4; break;
        case 'longlong': case 'timestamp': fixed += 8; break;
        case 'shortstr':
          fixed += 1;
          emit(`  const ${f.local}Len = shortstrLength(${f.local}, '${f.specName}');`);
          varying.push(`${f.local}Len`);
          break;
        case 'longstr':
          fixed += 4;
          emit(`  const ${f.local}Len = Buffer.byteLength(${f.local}, 'utf8');`);
          varying.push(`${f.local}Len`);
          break;
        case 'bytes': fixed += 4; varying.push(`${f.local}.length`); break;
        case 'table':
          fixed += 4;
          emit(`  const ${f.local}Size = tableSize(${f.local});`);
          varying.push(`${f.local}Size`);
          break;
      }
    }
    emit(`  const size = ${[String(fixed), ...varying].join(' + ')};`);
    emit('  const b = Buffer.allocUnsafe(size + 8);');
    emit('  let o = writeFrameHeader(b, 0, 1, ch, size);');
    emit(`  o = writeU32(b, o, ${m.classId * 65536 + m.methodId}); // ${m.classId}/${m.methodId}`);
    for (let i = 0; i < m.fields.length; i++) {
      const f = m.fields[i]!;
      switch (f.wire) {
        case 'bit': {
          const group: Field[] = [];
          while (i < m.fields.length && m.fields[i]!.wire === 'bit' && group.length < 8) group.push(m.fields[i++]!);
          i--;
          emit(`  b[o++] = ${group.map((g, k) => `(${g.local} ? ${1 << k} : 0)`).join(' | ')};`);
          break;
        }
        case 'octet': emit(`  b.writeUInt8(${f.local}, o++);`); break;
        case 'short': emit(`  o = writeU16(b, o, ${f.local});`); break;
        case 'long': emit(`  o = writeU32(b, o, ${f.local});`); break;
        case 'longlong': case 'timestamp': emit(`  o = writeU64Number(b, o, ${f.local});`); break;
        case 'shortstr': emit(`  o = writeShortstr(b, o, ${f.local}, ${f.local}Len);`); break;
        case 'longstr':
          emit(`  o = writeU32(b, o, ${f.local}Len);`);
          emit(`  o += b.write(${f.local}, o, ${f.local}Len, 'utf8');`);
          break;
        case 'bytes':
          emit(`  o = writeU32(b, o, ${f.local}.length);`);
          emit(`  o += ${f.local}.copy(b, o);`);
          break;
        case 'table': emit(`  o = writeTable(b, o, ${f.local});`); break;
      }
    }
    emit('  b[o] = FRAME_END;');
    emit('  return b;');
    emit('}');
  }
  emit();
  emit('/** Per-method frame encoders; missing arguments take the spec default (else 0, \'\', false, {}). */');
  emit('export const METHOD_ENCODERS: { readonly [N in MethodName]: (channel: number, args: Partial<MethodArgs[N]>) => Buffer } = {');
  for (const m of methods) emit(`  '${m.full}': enc${m.pascal},`);
  emit('};');
  return out.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = new URL('spec.generated.ts', here);
  const text = generate();
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}: ${methods.length} methods, ${text.split('\n').length - 1} lines`);
}
