/**
 * Holds the host's requests while the in-app sign-in runs (in-app-landing.ts), instead of holding the host's whole
 * load: NocoBase loads its plugins and renders the page meanwhile, and its first question (who is signed in?) leaves
 * once the token is set, carrying it. The landing's own requests are marked and pass.
 *
 * The gate is an axios request interceptor registered after the host's: axios runs request interceptors last
 * registered first, so the host's auth middleware, which reads the token into the headers, runs once the gate opens.
 */

/** The config key marking a request of the landing itself (publicList, the sign-in). */
export const LANDING_REQUEST = 'dingtalkLanding';

/** An axios instance, as far as the gate uses it. */
export interface RequestInterceptors<C extends object = object> {
  interceptors: {
    request: {
      use(onFulfilled: (config: C) => C | Promise<C>): number;
      eject(id: number): void;
    };
  };
}

/**
 * Every request but the landing's own waits until `settled` settles (either way); then the gate is removed.
 * `onFirstHeld` tells when the host first had to wait: what of the attempt its own loading did not cover.
 */
export function holdRequestsUntil<C extends object>(
  axios: RequestInterceptors<C>,
  settled: Promise<unknown>,
  onFirstHeld?: () => void,
): void {
  let open = false;
  let held = false;
  const opened = settled.then(
    () => undefined,
    () => undefined,
  );
  const id = axios.interceptors.request.use(async (config: C) => {
    if (open || (config as Record<string, unknown>)[LANDING_REQUEST] === true) return config;
    if (!held) {
      held = true;
      onFirstHeld?.();
    }
    await opened;
    return config;
  });
  void opened.then(() => {
    open = true;
    axios.interceptors.request.eject(id);
  });
}
