import { describe, expect, it } from 'vitest';
import { Sealer } from '../sealed';

/** Sub-apps of the multi-app manager run in the main app's process, with one APP_KEY for all. */
const KEY = () => 'one-app-key-for-every-app';
const sealerOf = (app: string | undefined) => new Sealer(KEY, () => undefined, () => app);

describe('values sealed by one app of a multi-app process', () => {
  it('open only in the app that sealed them', () => {
    const ticket = sealerOf('sub1').seal('auth-dingtalk:ticket', { authenticator: 'dingtalk', userId: 1 });
    expect(sealerOf('sub1').open('auth-dingtalk:ticket', ticket)).toEqual({ authenticator: 'dingtalk', userId: 1 });
    expect(sealerOf('main').open('auth-dingtalk:ticket', ticket)).toBeUndefined();
    expect(sealerOf(undefined).open('auth-dingtalk:ticket', ticket)).toBeUndefined();
    expect(sealerOf('sub2').open('auth-dingtalk:ticket', ticket)).toBeUndefined();

    const state = sealerOf('main').seal('auth-dingtalk:state', { authenticator: 'dingtalk' });
    expect(sealerOf('sub1').open('auth-dingtalk:state', state)).toBeUndefined();
    expect(sealerOf('main').open('auth-dingtalk:state', state)).toEqual({ authenticator: 'dingtalk' });
  });

  it('keep the main app compatible with values sealed before apps were told apart', () => {
    const before = new Sealer(KEY).seal('auth-dingtalk:state', 'pending');
    expect(sealerOf('main').open('auth-dingtalk:state', before)).toBe('pending');
  });
});
