import { describe, expect, it } from 'vitest';
import { isAuthenticatorSave, saveProblemFromBody } from '../save-problems';
import { myLinksFromBody } from '../links';
import { lockedLinks } from '../unlink-lock';

describe('a refused save of the DingTalk settings', () => {
  it('is read from the save requests of the authenticators drawer only', () => {
    expect(isAuthenticatorSave('authenticators:create')).toBe(true);
    expect(isAuthenticatorSave('/api/authenticators:update?filterByTk=3')).toBe(true);
    expect(isAuthenticatorSave('authenticators:list')).toBe(false);
    expect(isAuthenticatorSave('dingtalk:testConnection')).toBe(false);
    expect(isAuthenticatorSave(undefined)).toBe(false);
  });

  it('names the option by its key path and keeps the server sentence', () => {
    const body = { errors: [{ code: 'CONFIG_INVALID', detail: 'profileSync.email', message: 'Invalid DingTalk setting: Profile sync › Email' }] };
    expect(saveProblemFromBody(body)).toEqual({ field: 'profileSync.email', message: 'Invalid DingTalk setting: Profile sync › Email' });
  });

  it('ignores answers that are not about one of our options', () => {
    expect(saveProblemFromBody({ errors: [{ code: 'CONFIG_INVALID', message: 'x' }] })).toBeUndefined();
    expect(saveProblemFromBody({ errors: [{ code: 'CONFIG_INVALID', detail: 'allowedCorpIDs', message: 'x' }] })).toBeUndefined();
    expect(saveProblemFromBody({ errors: [{ code: 'FORBIDDEN', detail: 'clientId', message: 'x' }] })).toBeUndefined();
    expect(saveProblemFromBody({ errors: [{ message: 'Auth UID is required' }] })).toBeUndefined();
    expect(saveProblemFromBody('<html>')).toBeUndefined();
  });
});

describe('links the user may not remove yet', () => {
  it('are those the server marks canUnlink: false', () => {
    const body = { data: [{ authenticator: 'a', canUnlink: false }, { authenticator: 'b', canUnlink: true }, { authenticator: 'c' }, 'junk'] };
    expect([...lockedLinks(myLinksFromBody(body))]).toEqual(['a']);
    expect(lockedLinks(myLinksFromBody({ data: null })).size).toBe(0);
  });
});
