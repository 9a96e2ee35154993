// The StudioApi contract itself: one list of names, prefixed channels, inputs that name the bad field.
import { describe, expect, it } from 'vitest';
import { LinkMicError, ValidationError } from '../../common/errors';
import {
  assertPcmFrameLength,
  eventChannel,
  methodChannel,
  parseStudioInput,
  STUDIO_CHANNELS,
  STUDIO_EVENTS,
  STUDIO_METHOD_INPUTS,
  STUDIO_METHODS,
  STUDIO_WINDOW_KEYS,
  type StudioMethodName,
} from '../../common/studio-api';
import { BAD_INPUTS } from './studio-bad-inputs';

function validationFailure(method: StudioMethodName, input: unknown): ValidationError {
  try {
    parseStudioInput(method, input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`${method} accepted ${JSON.stringify(input)}`);
}

describe('StudioApi contract', () => {
  it('lists every method once, and each has an input schema', () => {
    expect(new Set(STUDIO_METHODS).size).toBe(STUDIO_METHODS.length);
    expect(STUDIO_METHODS).toEqual(Object.keys(STUDIO_METHOD_INPUTS));
    expect(STUDIO_METHODS).toEqual(expect.arrayContaining(['getState', 'goLive', 'stopLive', 'requestLinkMic', 'acceptLinkMic', 'invitePk', 'setLayout', 'setCoHostAudio', 'setAudioProcessing']));
  });

  it('puts every IPC channel under the studio: prefix, without duplicates', () => {
    expect(STUDIO_CHANNELS.every((channel) => channel.startsWith('studio:'))).toBe(true);
    expect(new Set(STUDIO_CHANNELS).size).toBe(STUDIO_CHANNELS.length);
    expect(methodChannel('goLive')).toBe('studio:goLive');
    expect(eventChannel('stats')).toBe('studio:event:stats');
    expect(STUDIO_CHANNELS.length).toBe(STUDIO_METHODS.length + STUDIO_EVENTS.length + 1);
  });

  it('exposes on window.studio exactly the methods, sendAudioFrame and on', () => {
    expect([...STUDIO_WINDOW_KEYS].sort()).toEqual([...STUDIO_METHODS, 'sendAudioFrame', 'on'].sort());
  });

  it('accepts an omitted input for methods that take none', () => {
    expect(parseStudioInput('getState', undefined)).toBeUndefined();
    expect(parseStudioInput('goLive', undefined)).toBeUndefined();
    expect(parseStudioInput('goLive', { streamCode: 'host_1' })).toEqual({ streamCode: 'host_1' });
  });

  it('has a bad-input case for every method', () => {
    expect(Object.keys(BAD_INPUTS).sort()).toEqual([...STUDIO_METHODS].sort());
  });

  for (const method of STUDIO_METHODS) {
    it(`refuses bad input to ${method} with INVALID_ARGUMENT naming the field`, () => {
      const { input, field } = BAD_INPUTS[method];
      const error = validationFailure(method, input);
      expect(error).toBeInstanceOf(LinkMicError);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.field).toBe(field);
      expect(error.toPayload()).toMatchObject({ name: 'ValidationError', code: 'INVALID_ARGUMENT', field });
    });
  }

  it('refuses a PCM frame of odd length or over one second', () => {
    expect(() => assertPcmFrameLength(960)).not.toThrow();
    expect(() => assertPcmFrameLength(961)).toThrow(ValidationError);
    expect(() => assertPcmFrameLength(0)).toThrow(ValidationError);
    expect(() => assertPcmFrameLength(48_000 * 2 + 2)).toThrow(ValidationError);
  });
});
