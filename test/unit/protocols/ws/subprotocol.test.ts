import { describe, expect, it } from 'vitest';
import { chooseSubprotocol, parseOffered } from '../../../../protocols/ws/subprotocol.js';

describe('parseOffered', () => {
  it('splits and trims', () => {
    expect([...parseOffered(' v12.stomp , v11.stomp,,')]).toEqual(['v12.stomp', 'v11.stomp']);
    expect(parseOffered(undefined).size).toBe(0);
  });
});

describe('chooseSubprotocol', () => {
  it('STOMP: the highest offered version, or none (still accepted)', () => {
    expect(chooseSubprotocol('stomp', new Set(['v10.stomp', 'v12.stomp']))).toBe('v12.stomp');
    expect(chooseSubprotocol('stomp', new Set(['v11.stomp']))).toBe('v11.stomp');
    expect(chooseSubprotocol('stomp', new Set())).toBeNull();
    expect(chooseSubprotocol('stomp', new Set(['mqtt']))).toBeNull();
  });

  it('MQTT: mqtt preferred, mqttv3.1 accepted, otherwise refused', () => {
    expect(chooseSubprotocol('mqtt', new Set(['mqttv3.1', 'mqtt']))).toBe('mqtt');
    expect(chooseSubprotocol('mqtt', new Set(['mqttv3.1']))).toBe('mqttv3.1');
    expect(chooseSubprotocol('mqtt', new Set(['MQTT']))).toBe('MQTT');
    expect(chooseSubprotocol('mqtt', new Set())).toBe(false);
    expect(chooseSubprotocol('mqtt', new Set(['v12.stomp']))).toBe(false);
  });
});
