import { describe, expect, it } from 'vitest';
import { callbackUrlFromBody, callbackUrlRequest, eventModeOf } from '../directory-events';

describe('directory events settings', () => {
  it('reads the mode, Stream for anything unknown', () => {
    expect(['stream', 'push', 'off', undefined, 'webhook', 3].map(eventModeOf)).toEqual(['stream', 'push', 'off', 'stream', 'stream', 'stream']);
  });

  it('asks for the Callback URL of the named source and reads the answer', () => {
    expect(callbackUrlRequest('dir & co').url).toBe('dingtalkDirectory:callbackUrl?source=dir%20%26%20co');
    expect(callbackUrlFromBody({ data: { url: 'https://n.example/api/dingtalkDirectory:events?source=a', fromConfiguration: true } })).toEqual({
      url: 'https://n.example/api/dingtalkDirectory:events?source=a',
      fromConfiguration: true,
    });
    expect(callbackUrlFromBody({ data: { url: 5 } })).toBeUndefined();
    expect(callbackUrlFromBody('<html>')).toBeUndefined();
  });
});
