/**
 * Why the last save of a DingTalk authenticator was refused, for the settings form to show next to the field. The
 * host's own notice of a failed request fades after a few seconds; the server's answer (`CONFIG_INVALID`, the
 * option's key path in `detail`, the sentence in the admin's language) is kept here until the next save starts.
 * Fed by an interceptor on the host's axios instance, since the host's drawer makes the save request, not us.
 * Free of React (unit-tested); the forms read it through `useSaveProblem` (settings-fields.tsx).
 */
import type { AxiosInstance } from 'axios';
import { SETTING_DETAILS } from '../errors';
import { isRecord } from '../api-answers';

export type SaveProblem = { field: string; message: string };

const SAVE = /(^|\/)authenticators:(create|update)(\?|$)/;

export function isAuthenticatorSave(url: unknown): boolean {
  return typeof url === 'string' && SAVE.test(url);
}

/** The refused option of a save's error body, when the server named one of ours. */
export function saveProblemFromBody(body: unknown): SaveProblem | undefined {
  const errors = isRecord(body) ? body.errors : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (!isRecord(first) || first.code !== 'CONFIG_INVALID') return undefined;
  const field = first.detail;
  const message = typeof first.message === 'string' ? first.message.trim().slice(0, 500) : '';
  if (typeof field !== 'string' || !(SETTING_DETAILS as readonly string[]).includes(field) || !message) return undefined;
  return { field, message };
}

let current: SaveProblem | undefined;
const listeners = new Set<(problem: SaveProblem | undefined) => void>();

export function publishSaveProblem(problem: SaveProblem | undefined): void {
  current = problem;
  for (const listener of listeners) listener(problem);
}

/** Registered once per client at plugin load. */
export function watchSaveProblems(axios: Pick<AxiosInstance, 'interceptors'>): void {
  axios.interceptors.request.use((config) => {
    if (isAuthenticatorSave(config.url)) publishSaveProblem(undefined);
    return config;
  });
  axios.interceptors.response.use(
    (response) => response,
    (error: unknown) => {
      const config = isRecord(error) && isRecord(error.config) ? error.config : undefined;
      const response = isRecord(error) && isRecord(error.response) ? error.response : undefined;
      if (config && isAuthenticatorSave(config.url)) {
        const problem = saveProblemFromBody(response?.data);
        if (problem) publishSaveProblem(problem);
      }
      return Promise.reject(error);
    },
  );
}

/** Calls `listener` with each change of the refused option; returns the current one and how to stop listening. */
export function subscribeSaveProblem(listener: (problem: SaveProblem | undefined) => void): { current: SaveProblem | undefined; stop: () => void } {
  listeners.add(listener);
  return { current, stop: () => listeners.delete(listener) };
}
