/**
 * The callback's answer to a sign-in started in a popup window (option `signInWindow: 'popup'`): a tiny page whose
 * script tells the app's tabs how it went on a same-origin BroadcastChannel, then closes the window. Not
 * `window.opener`: DingTalk's page may send `Cross-Origin-Opener-Policy`, which severs it.
 *
 * When no tab takes the outcome (the tab was closed, or the browser lacks BroadcastChannel), the window goes on to
 * the page the same-tab sign-in would have landed on, so the sign-in is not lost. When a tab took it but the window
 * cannot close itself, it shows the app without the landing marker (the tab redeemed the ticket already).
 *
 * The page holds no secret and nothing from the callback's query: the outcome is the authenticator of the state and a
 * code (and detail) of the closed list; the addresses are built by the server from the state's checked return path.
 */
import type { Context } from '@nocobase/actions';
import { POPUP_CHANNEL } from '../constants';
import { POPUP_ACK, PopupOutcome } from '../popup-outcome';

/** How long the popup waits for a tab to take the outcome before finishing the sign-in itself. */
const ACK_WAIT_MS = 1500;

/** A value as a JavaScript literal that cannot end the `<script>` element or a line. */
function scriptLiteral(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface PopupPage {
  outcome: PopupOutcome;
  /** Where the same-tab sign-in would have gone (the landing with its marker, or the sign-in page with the error). */
  fallback: string;
  /** The app without a landing marker: where a window that cannot close goes once a tab took the outcome. */
  taken: string;
}

export function popupPageHtml({ outcome, fallback, taken }: PopupPage): string {
  const script = `(function () {
  var outcome = ${scriptLiteral(outcome)}, fallback = ${scriptLiteral(fallback)}, taken = ${scriptLiteral(taken)};
  var settled = false;
  function go(url) { if (!settled) { settled = true; location.replace(url); } }
  var channel;
  try { channel = new BroadcastChannel(${scriptLiteral(POPUP_CHANNEL)}); } catch (e) { go(fallback); return; }
  channel.onmessage = function (event) {
    if (!event.data || event.data.type !== ${scriptLiteral(POPUP_ACK)} || event.data.authenticator !== outcome.authenticator) return;
    settled = true;
    channel.close();
    window.close();
    setTimeout(function () { settled = false; go(taken); }, 300);
  };
  channel.postMessage(outcome);
  setTimeout(function () { go(fallback); }, ${ACK_WAIT_MS});
})();`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>DingTalk</title></head>
<body><script>${script}</script></body></html>
`;
}

/** Answers the callback with the popup page. */
export function answerWithPopupPage(ctx: Context, page: PopupPage): void {
  ctx.status = 200;
  ctx.set('Content-Type', 'text/html; charset=utf-8');
  ctx.body = popupPageHtml(page);
}
