/**
 * Boot-time definitions import keys (RabbitMQ names): the classic
 * `load_definitions` and the modern `definitions.import_backend =
 * local_filesystem` + `definitions.local.path`.
 */
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../../src/config/load.js';

const cfgFile = (...lines: string[]) => loadConfigText(lines.join('\n'), 'polyport.conf');

describe('load_definitions and definitions.*', () => {
  it('unset by default', () => {
    expect(cfgFile().loadDefinitions).toEqual([]);
  });

  it('load_definitions = PATH (classic key)', () => {
    expect(cfgFile('load_definitions = /etc/polyport/definitions.json').loadDefinitions).toEqual([
      { key: 'load_definitions', path: '/etc/polyport/definitions.json' },
    ]);
  });

  it('definitions.import_backend = local_filesystem + definitions.local.path; aliases local and the module name', () => {
    for (const backend of ['local_filesystem', 'local', 'rabbitmq_definitions_import_local_filesystem']) {
      const c = cfgFile(`definitions.import_backend = ${backend}`, 'definitions.local.path = ./defs');
      expect(c.loadDefinitions).toEqual([{ key: 'definitions.local.path', path: './defs' }]);
    }
  });

  it('both forms: the classic file first (rabbit_definitions:maybe_load_definitions)', () => {
    const c = cfgFile('definitions.local.path = /b.json', 'definitions.import_backend = local_filesystem', 'load_definitions = /a.json');
    expect(c.loadDefinitions.map((d) => d.path)).toEqual(['/a.json', '/b.json']);
  });

  it('errors name the key and the line', () => {
    expect(() => cfgFile('definitions.import_backend = https', 'definitions.local.path = /x')).toThrow(
      'polyport.conf:1: definitions.import_backend: expected local_filesystem (the only backend supported)',
    );
    expect(() => cfgFile('heartbeat = 5', 'definitions.local.path = /x')).toThrow(
      'polyport.conf:2: definitions.local.path: needs definitions.import_backend = local_filesystem',
    );
    expect(() => cfgFile('definitions.import_backend = local_filesystem')).toThrow(
      'polyport.conf:1: definitions.import_backend: needs definitions.local.path',
    );
    expect(() => cfgFile('load_definitions =')).toThrow(/polyport.conf:1/);
  });
});
