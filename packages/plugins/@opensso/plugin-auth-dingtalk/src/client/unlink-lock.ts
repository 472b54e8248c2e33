/**
 * The links the user may not remove yet (`canUnlink: false`: the account has no password, so DingTalk is its only
 * way in). The dialog disables their Unlink button and says what to do instead. Read from the links as
 * `myLinksFromBody` parses them, the one reader of `dingtalk:listMyLinks`.
 */
import type { MyLink } from './links';

export function lockedLinks(links: readonly MyLink[]): Set<string> {
  return new Set(links.filter((link) => !link.canUnlink).map((link) => link.authenticator));
}
