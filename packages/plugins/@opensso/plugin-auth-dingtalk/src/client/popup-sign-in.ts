/**
 * The popup window of a sign-in with `signInWindow: 'popup'`: DingTalk's page opens there, and the callback's popup
 * page (server/popup-page.ts) reports the outcome on a same-origin BroadcastChannel, which the button listens to.
 * Not `window.opener` nor `popup.closed`: DingTalk's page may send `Cross-Origin-Opener-Policy`, which severs both.
 * Whether a popup is used at all is sign-in-window.ts's call.
 */
import { POPUP_CHANNEL, POPUP_WINDOW_NAME } from '../constants';
import { POPUP_ACK, PopupOutcome, popupOutcomeOf } from '../popup-outcome';

/** Large enough for DingTalk's QR code and its account login form. */
const POPUP_FEATURES = 'popup,width=520,height=680';

/**
 * Opens the (empty) popup window; must run within the click, before any await, or popup blockers refuse it.
 * Null when it was refused or the browser cannot hear back from it: the caller then signs in in the same tab.
 */
export function openSignInPopup(): Window | null {
  if (typeof window === 'undefined' || typeof BroadcastChannel === 'undefined') return null;
  try {
    return window.open('', POPUP_WINDOW_NAME, POPUP_FEATURES);
  } catch {
    return null;
  }
}

/**
 * Waits for the outcome of `authenticator`'s sign-in, acknowledges it (the popup then closes rather than finishing
 * the sign-in itself) and hands it over once. Returns what stops listening.
 */
export function listenForPopupOutcome(authenticator: string, onOutcome: (outcome: PopupOutcome) => void): () => void {
  const channel = new BroadcastChannel(POPUP_CHANNEL);
  let open = true;
  const stop = () => {
    if (open) channel.close();
    open = false;
  };
  channel.onmessage = (event: MessageEvent) => {
    const outcome = popupOutcomeOf(event.data);
    if (!outcome || outcome.authenticator !== authenticator) return;
    channel.postMessage({ type: POPUP_ACK, authenticator });
    stop();
    onOutcome(outcome);
  };
  return stop;
}
