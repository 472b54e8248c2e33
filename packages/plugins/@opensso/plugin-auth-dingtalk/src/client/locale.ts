import { useTranslation } from 'react-i18next';
import { NAMESPACE } from '../constants';

/**
 * The server sends every enabled plugin's `dist/locale/<lang>.json` keyed by its package name (`app:getLang`),
 * and the host adds each to its i18next instance as a namespace: NAMESPACE (our package name) is ours.
 * NocoBase's i18next runs with `keySeparator: false` and `nsSeparator: false`, so English sentences with
 * dots or colons are valid keys. `client` is the fallback for NocoBase's own words.
 */
export function useDingTalkTranslation() {
  return useTranslation([NAMESPACE, 'client'], { nsMode: 'fallback' });
}
