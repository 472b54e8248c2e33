/**
 * The settings form's own fields, shared by the v1 form (formily, AdminSettingsForm.tsx) and the v2 one (antd Form,
 * ../client-v2/AdminSettingsForm.tsx): each takes `value`/`onChange`, which both hosts give a field's component.
 * No host module here: the v2 bundle must not import `@nocobase/client`.
 */
import { Alert, Button, Collapse, Divider, Input, Radio, Select, Space, Switch, Typography } from 'antd';
import React, { createContext, ReactNode, useContext, useEffect, useState } from 'react';
import { ACTIONS, RESOURCE } from '../constants';
import { countryCodeOf } from './account-settings';
import { isRecord } from '../api-answers';
import { requestFailure, Shown, shownFromError, textOf } from './landing';
import { useDingTalkTranslation } from './locale';
import { SaveProblem, subscribeSaveProblem } from './save-problems';
import {
  ConsoleUrls,
  consoleUrlsFromBody,
  DEFAULT_MATCH_BY,
  MATCH_RULES,
  MatchRule,
  normalizeCorpIds,
  normalizeMatchBy,
  SIGN_IN_WINDOWS,
  SignInWindow,
  signInWindowOf,
  SYNC_MODES,
  SyncMode,
  syncModeOf,
} from './options';

export type ConsoleUrlsState = { urls?: ConsoleUrls; failed?: boolean };

/** The URLs for DingTalk's developer console, asked once per settings form and shared by its two URL fields. */
export const ConsoleUrlsContext = createContext<ConsoleUrlsState>({});

/** The host's API client, v1's or v2's: both send the admin's token with the request. */
export type ConsoleUrlsApi = {
  request(config: { url: string; method: 'get'; skipNotify: boolean }): Promise<{ data: unknown }>;
};

/** Asks the server once (per form) for the URLs to paste into DingTalk's developer console. */
export function useConsoleUrls(api: ConsoleUrlsApi): ConsoleUrlsState {
  const [state, setState] = useState<ConsoleUrlsState>({});
  useEffect(() => {
    let cancelled = false;
    api
      .request({ url: `${RESOURCE}:${ACTIONS.getRedirectUrl}`, method: 'get', skipNotify: true })
      .then((response) => {
        const urls = consoleUrlsFromBody(response.data);
        if (!cancelled) setState(urls ? { urls } : { failed: true });
      })
      .catch(() => {
        if (!cancelled) setState({ failed: true });
      });
    return () => {
      cancelled = true;
    };
  }, [api]);
  return state;
}

/** A read-only, copyable URL of this app to paste into DingTalk's developer console. */
function ConsoleUrlField({ which }: { which: 'redirectUrl' | 'homepageUrl' }) {
  const { t } = useDingTalkTranslation();
  const { urls, failed } = useContext(ConsoleUrlsContext);
  const url = urls?.[which];
  const missing = failed || (urls !== undefined && !url);
  const missingText =
    which === 'redirectUrl' ? t('The Redirect URL could not be loaded.') : t('The Homepage URL could not be loaded.');
  return (
    <>
      <Input
        readOnly
        value={url ?? ''}
        status={missing ? 'error' : undefined}
        placeholder={missing ? missingText : t('Loading…')}
        addonAfter={url ? <Typography.Text copyable={{ text: url, tooltips: [t('Copy'), t('Copied')] }} /> : null}
      />
      {url && urls && !urls.fromConfiguration ? <AppUrlWarning /> : null}
    </>
  );
}

/** Under a URL for DingTalk's console that the server built from the request's address, not from `APP_URL`. */
export function AppUrlWarning() {
  const { t } = useDingTalkTranslation();
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginTop: 8 }}
      message={t(
        'This URL comes from the address you are using now, because APP_URL is not set on the server. Set APP_URL to the public address of NocoBase so that DingTalk always gets the right one.',
      )}
    />
  );
}

/** Read-only: the callback URL of this app, to paste into DingTalk's developer console. */
export function RedirectUrl() {
  return <ConsoleUrlField which="redirectUrl" />;
}

/** Read-only: the page to set as the homepage of the DingTalk app's H5 micro-app (in-app sign-in). */
export function HomepageUrl() {
  return <ConsoleUrlField which="homepageUrl" />;
}

/** The props formily gives a field's component. */
export type FieldProps<V> = { value?: V; onChange?: (value: V) => void; disabled?: boolean; readOnly?: boolean };

/** A titled divider that opens a group of settings. */
export function Section({ title, description }: { title?: string; description?: string }) {
  return (
    <>
      <Divider orientation="left" orientationMargin={0} style={{ marginTop: 24, marginBottom: description ? 4 : 12 }}>
        {title}
      </Divider>
      {description ? (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
          {description}
        </Typography.Paragraph>
      ) : null}
    </>
  );
}

function useMatchRuleLabels(): Record<MatchRule, string> {
  const { t } = useDingTalkTranslation();
  return { phone: t('Phone number'), email: t('Email') };
}

/** The matching rules, in the order the admin picked them (the order they are tried in). */
export function MatchBySelect({ value, onChange, disabled, readOnly }: FieldProps<MatchRule[]>) {
  const { t } = useDingTalkTranslation();
  const labels = useMatchRuleLabels();
  return (
    <Select<MatchRule[]>
      mode="multiple"
      aria-label={t('Match existing users by')}
      value={value === undefined ? DEFAULT_MATCH_BY : normalizeMatchBy(value)}
      onChange={(next) => onChange?.(normalizeMatchBy(next))}
      options={MATCH_RULES.map((rule) => ({ value: rule, label: labels[rule] }))}
      placeholder={t('No matching: only linked DingTalk accounts')}
      disabled={disabled || readOnly}
      allowClear
    />
  );
}

/** corpIds typed or pasted as tags (nothing to pick from: the dropdown stays closed). */
export function CorpIdsSelect({ value, onChange, disabled, readOnly }: FieldProps<string[]>) {
  const { t } = useDingTalkTranslation();
  return (
    <Select<string[]>
      mode="tags"
      open={false}
      suffixIcon={null}
      aria-label={t('Allowed DingTalk organizations')}
      tokenSeparators={[',', ' ', ';', '\n']}
      value={normalizeCorpIds(value)}
      onChange={(next) => onChange?.(normalizeCorpIds(next))}
      placeholder={t('Any organization')}
      disabled={disabled || readOnly}
    />
  );
}

/** A country calling code after a fixed `+`; `+86` or `0086` typed or pasted is kept as 86. */
export function CountryCodeInput({ value, onChange, disabled, readOnly }: FieldProps<string>) {
  const { t } = useDingTalkTranslation();
  return (
    <Input
      addonBefore="+"
      inputMode="numeric"
      autoComplete="off"
      aria-label={t('Default country code')}
      style={{ maxWidth: 160 }}
      value={value ?? ''}
      onChange={(event) => onChange?.(countryCodeOf(event.target.value))}
      disabled={disabled}
      readOnly={readOnly}
    />
  );
}

/** A boolean option as a switch (unset reads as off). */
export function OptionSwitch({ value, onChange, disabled, readOnly, label }: FieldProps<boolean> & { label?: string }) {
  return (
    <Switch aria-label={label} checked={value === true} onChange={(checked) => onChange?.(checked)} disabled={disabled || readOnly} />
  );
}

export function SyncModeRadios({ value, onChange, disabled, readOnly, label }: FieldProps<SyncMode> & { label?: string }) {
  const { t } = useDingTalkTranslation();
  const labels: Record<SyncMode, string> = {
    signup: t('At sign-up only'),
    fill: t('Fill if empty'),
    overwrite: t('Overwrite'),
  };
  return (
    <Radio.Group
      optionType="button"
      aria-label={label}
      value={syncModeOf(value)}
      onChange={(event) => onChange?.(syncModeOf(event.target.value))}
      options={SYNC_MODES.map((mode) => ({ value: mode, label: labels[mode] }))}
      disabled={disabled || readOnly}
    />
  );
}

/** Where DingTalk's page opens: the same tab or a popup window. */
export function SignInWindowRadios({ value, onChange, disabled, readOnly }: FieldProps<SignInWindow>) {
  const { t } = useDingTalkTranslation();
  const labels: Record<SignInWindow, string> = { page: t('The same tab'), popup: t('A popup window') };
  return (
    <Radio.Group
      optionType="button"
      aria-label={t('Open DingTalk sign-in in')}
      value={signInWindowOf(value)}
      onChange={(event) => onChange?.(signInWindowOf(event.target.value))}
      options={SIGN_IN_WINDOWS.map((mode) => ({ value: mode, label: labels[mode] }))}
      disabled={disabled || readOnly}
    />
  );
}

/** The refused option of the last save, while no other save has started. */
export function useSaveProblem(): SaveProblem | undefined {
  const [problem, setProblem] = useState<SaveProblem | undefined>(undefined);
  useEffect(() => {
    const { current, stop } = subscribeSaveProblem(setProblem);
    setProblem(current);
    return () => {
      stop();
    };
  }, []);
  return problem;
}

/**
 * A group of settings folded away until opened: the form's first screen is what every setup needs. Its fields stay
 * mounted while folded (the drawer saves only mounted fields), and it opens by itself when a refused save names one
 * of them (`fields`: the options' top-level keys).
 */
export function CollapsibleSection({
  title,
  description,
  fields,
  children,
}: {
  title?: string;
  description?: string;
  fields?: readonly string[];
  children?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const problem = useSaveProblem();
  const mine = problem !== undefined && (fields ?? []).includes(problem.field.split('.')[0]);
  useEffect(() => {
    if (mine) setOpen(true);
  }, [mine, problem]);
  return (
    <Collapse
      size="small"
      style={{ marginBottom: 12 }}
      activeKey={open ? ['section'] : []}
      onChange={(keys) => setOpen(keys.includes('section'))}
      items={[
        {
          key: 'section',
          label: title,
          forceRender: true,
          children: (
            <>
              {description ? (
                <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
                  {description}
                </Typography.Paragraph>
              ) : null}
              {children}
            </>
          ),
        },
      ]}
    />
  );
}

/** Under an option's field: the refused save's sentence when it names this option, until the next save. */
export function FieldProblem({ field }: { field: string }) {
  const problem = useSaveProblem();
  if (problem?.field !== field) return null;
  return (
    <div data-testid={`dingtalk-field-problem-${field}`} role="alert" style={{ marginTop: -16, marginBottom: 16 }}>
      <Typography.Text type="danger">{problem.message}</Typography.Text>
    </div>
  );
}

/** The refused save's sentence, at the top of the form until the next save (the host's notice fades). */
export function SaveProblemNotice() {
  const problem = useSaveProblem();
  const { t } = useDingTalkTranslation();
  if (!problem) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={{ marginBottom: 16 }}
      message={t('Not saved: {{reason}}', { reason: problem.message, interpolation: { escapeValue: false } })}
    />
  );
}

/** What "Test connection" sends: the authenticator being edited (its stored secret) and the credentials shown. */
export type ConnectionInput = { authenticator?: unknown; clientId?: unknown; clientSecret?: unknown };

export type ActionApi = {
  request(config: { url: string; method: 'post'; data: object; skipNotify: boolean }): Promise<{ data: unknown }>;
};

type TestState = { status: 'idle' } | { status: 'testing' } | { status: 'ok' } | { status: 'failed'; shown: Shown; code?: string };

/** Asks the server to get an app token from DingTalk with the Client ID and Secret in the form; says OK or why not. */
export function TestConnectionButton({ api, read }: { api: ActionApi; read: () => ConnectionInput }) {
  const { t } = useDingTalkTranslation();
  const [state, setState] = useState<TestState>({ status: 'idle' });
  const run = async () => {
    setState({ status: 'testing' });
    const input = read();
    try {
      const response = await api.request({
        url: `${RESOURCE}:${ACTIONS.testConnection}`,
        method: 'post',
        data: { authenticator: input.authenticator, clientId: input.clientId, clientSecret: input.clientSecret },
        skipNotify: true,
      });
      const data = isRecord(response.data) ? response.data.data : undefined;
      setState(isRecord(data) && data.ok === true ? { status: 'ok' } : { status: 'failed', shown: shownFromError(undefined) });
    } catch (error) {
      setState({ status: 'failed', shown: shownFromError(error), code: requestFailure(error).code });
    }
  };
  return (
    <Space direction="vertical" style={{ display: 'flex' }}>
      <Button onClick={state.status === 'testing' ? undefined : run} loading={state.status === 'testing'}>
        {t('Test connection')}
      </Button>
      {state.status === 'ok' ? (
        <Alert type="success" showIcon role="status" message={t('DingTalk accepted the Client ID and Client Secret.')} />
      ) : null}
      {state.status === 'failed' ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={textOf(t, state.shown)}
          description={state.code ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('Error code: {{code}}', { code: state.code })}</Typography.Text> : undefined}
        />
      ) : null}
    </Space>
  );
}
