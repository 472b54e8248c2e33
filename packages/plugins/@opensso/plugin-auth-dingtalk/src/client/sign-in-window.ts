/**
 * Where the DingTalk button opens DingTalk's page: a popup window (the default, `signInWindow: 'popup'`), which
 * signs the tab in without loading NocoBase again, or the same tab. The popup is the wrong tool where a window
 * cannot sit beside the page or cannot report back, so those stay in the same tab whatever the option says:
 *  - phones and tablets: a "popup" is a new full-screen tab there, and leaving it to come back is the person's job;
 *  - the DingTalk client's web view: it opens windows as pages of its own (in-app sign-in, when on, comes first);
 *  - no BroadcastChannel: the callback's popup page could not tell the tab.
 * A popup the browser refuses, and a page opened at another origin than the callback's (the server's getAuthUrl
 * answer says `otherOrigin`), fall back to the same tab once the click happened (sign-in-button-view.ts).
 * Pure: the browser's traits are passed in, so every case is unit-tested.
 */
import type { SignInWindow } from '../constants';
import { isDingTalkUserAgent } from './in-app';

/** What the decision reads of the browser (`navigator`, `window`). */
export type BrowserTraits = {
  userAgent?: string;
  /** `navigator.userAgentData.mobile` (User-Agent Client Hints; Chromium only). */
  mobile?: boolean;
  /** `navigator.maxTouchPoints`: iPadOS says "Macintosh" in its user agent, but a Mac has no touch screen. */
  maxTouchPoints?: number;
  broadcastChannel: boolean;
};

/**
 * Phones and tablets, by the user agent: Android (tablets too: Chrome on them says no "Mobile"), iOS, HarmonyOS
 * phones ("Phone; OpenHarmony", "Mobile"), and the other mobile browsers' own words.
 */
const MOBILE_USER_AGENT = /Android|iPhone|iPad|iPod|Mobile|Tablet|Windows Phone|IEMobile|Opera Mini|Silk|Kindle|BlackBerry|BB10/i;

export function isMobileBrowser(traits: Pick<BrowserTraits, 'userAgent' | 'mobile' | 'maxTouchPoints'>): boolean {
  if (traits.mobile === true) return true;
  const userAgent = traits.userAgent ?? '';
  if (MOBILE_USER_AGENT.test(userAgent)) return true;
  // iPadOS 13+ asks for desktop sites as a Mac; only its touch screen tells it apart.
  return /Macintosh/.test(userAgent) && (traits.maxTouchPoints ?? 0) > 1;
}

/** Whether the authenticator's public options (`authenticators:publicList`) ask for a popup window. */
export function wantsPopup(options: unknown): boolean {
  return typeof options === 'object' && options !== null && (options as { signInWindow?: unknown }).signInWindow === 'popup';
}

/** Where this browser opens DingTalk's page for an authenticator with these public options. */
export function signInWindowFor(options: unknown, traits: BrowserTraits): SignInWindow {
  if (!wantsPopup(options)) return 'page';
  if (!traits.broadcastChannel) return 'page';
  if (isDingTalkUserAgent(traits.userAgent)) return 'page';
  if (isMobileBrowser(traits)) return 'page';
  return 'popup';
}

/** This browser's traits; on the server (no `navigator`), those of a browser that gets the same tab. */
export function currentBrowserTraits(): BrowserTraits {
  if (typeof navigator === 'undefined') return { broadcastChannel: false };
  const data = (navigator as Navigator & { userAgentData?: { mobile?: unknown } }).userAgentData;
  return {
    userAgent: navigator.userAgent,
    mobile: typeof data?.mobile === 'boolean' ? data.mobile : undefined,
    maxTouchPoints: navigator.maxTouchPoints,
    broadcastChannel: typeof BroadcastChannel !== 'undefined',
  };
}
