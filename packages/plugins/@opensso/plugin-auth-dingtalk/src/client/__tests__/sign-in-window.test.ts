import { describe, expect, it } from 'vitest';
import { optionDefaultValues } from '../../option-defaults';
import { BrowserTraits, isMobileBrowser, signInWindowFor, wantsPopup } from '../sign-in-window';

/** User agents as the browsers send them. */
const UA = {
  chromeLinux:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
  iPhone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
  androidPhone:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36',
  // Chrome on Android tablets says no "Mobile", and its userAgentData.mobile is false.
  androidTablet:
    'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  harmonyPhone:
    'Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile',
  // The DingTalk client's desktop web view: a desktop user agent, plus its own word.
  dingTalkPc:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 Safari/537.36 DingTalk(7.6.45) nw Channel/201200',
};

const desktop = (userAgent: string, more: Partial<BrowserTraits> = {}): BrowserTraits => ({
  userAgent,
  mobile: false,
  maxTouchPoints: 0,
  broadcastChannel: true,
  ...more,
});

const POPUP = { signInWindow: 'popup' };

describe('where the DingTalk button opens DingTalk', () => {
  it('in a popup window by default, on desktop browsers', () => {
    // What publicList shows for an authenticator saved without the option.
    expect(optionDefaultValues().signInWindow).toBe('popup');
    for (const userAgent of [UA.chromeLinux, UA.safariMac, UA.firefoxWindows]) {
      // Firefox and Safari have no userAgentData.
      expect(signInWindowFor(POPUP, desktop(userAgent, { mobile: undefined }))).toBe('popup');
    }
  });

  it('in the same tab when the authenticator chose it, or its options say nothing (settings that do not parse)', () => {
    expect(signInWindowFor({ signInWindow: 'page' }, desktop(UA.chromeLinux))).toBe('page');
    expect(signInWindowFor({}, desktop(UA.chromeLinux))).toBe('page');
    expect(signInWindowFor(undefined, desktop(UA.chromeLinux))).toBe('page');
    expect(signInWindowFor({ signInWindow: 'window' }, desktop(UA.chromeLinux))).toBe('page');
    expect(wantsPopup(null)).toBe(false);
  });

  it('in the same tab on phones and tablets, by userAgentData.mobile or by the user agent', () => {
    expect(signInWindowFor(POPUP, desktop(UA.chromeLinux, { mobile: true }))).toBe('page');
    for (const userAgent of [UA.iPhone, UA.androidPhone, UA.androidTablet, UA.harmonyPhone]) {
      expect(signInWindowFor(POPUP, desktop(userAgent, { mobile: undefined }))).toBe('page');
    }
    // An iPad asking for desktop sites says "Macintosh"; its touch screen gives it away.
    expect(signInWindowFor(POPUP, desktop(UA.safariMac, { mobile: undefined, maxTouchPoints: 5 }))).toBe('page');
    expect(isMobileBrowser({ userAgent: UA.safariMac, maxTouchPoints: 0 })).toBe(false);
    // A touch screen on a Windows or Linux laptop is still a desktop browser.
    expect(signInWindowFor(POPUP, desktop(UA.firefoxWindows, { maxTouchPoints: 10 }))).toBe('popup');
  });

  it('in the same tab inside the DingTalk client, even on its desktop version', () => {
    expect(signInWindowFor(POPUP, desktop(UA.dingTalkPc))).toBe('page');
  });

  it('in the same tab without BroadcastChannel, which the popup reports on', () => {
    expect(signInWindowFor(POPUP, desktop(UA.chromeLinux, { broadcastChannel: false }))).toBe('page');
  });
});
