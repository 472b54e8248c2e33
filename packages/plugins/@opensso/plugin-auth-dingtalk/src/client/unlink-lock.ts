/**
 * The links of `dingtalk:listMyLinks` the user may not remove yet (`canUnlink: false`: the account has no password,
 * so DingTalk is its only way in). The dialog disables their Unlink button and says what to do instead.
 */
import { isRecord } from '../api-answers';

export function lockedLinksFromBody(body: unknown): Set<string> {
  const data = isRecord(body) ? body.data : undefined;
  const locked = new Set<string>();
  if (!Array.isArray(data)) return locked;
  for (const item of data) {
    if (isRecord(item) && typeof item.authenticator === 'string' && item.canUnlink === false) locked.add(item.authenticator);
  }
  return locked;
}
