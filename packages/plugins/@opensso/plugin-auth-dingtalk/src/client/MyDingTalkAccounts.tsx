import { type APIClient, SchemaSettingsItem, useAPIClient, useApp, useSchemaSettings } from '@nocobase/client';
import { Alert, App, Button, List, Modal, Popconfirm, Space, Tag, Typography } from 'antd';
import React, { useCallback, useEffect, useState } from 'react';
import { appBasePath } from './app-path';
import { DingTalkLogo } from './DingTalkLogo';
import { authUrlFromBody, GENERIC_ERROR, Shown, shownFromError, textOf } from './landing';
import {
  AccountRow,
  accountRows,
  AuthenticatorEntry,
  dingTalkAuthenticatorsFromBody,
  linkReturnPath,
  linkStateMessage,
  linkUrlRequest,
  myLinksFromBody,
  myLinksRequest,
  publicListRequest,
  unlinkMeRequest,
} from './links';
import { useDingTalkTranslation } from './locale';
import { lockedLinks } from './unlink-lock';
import { ERROR_MESSAGES } from '../errors';

/**
 * The enabled DingTalk authenticators, asked once per page load and API client (the plugin asks at load): the user
 * menu renders its items often, and whether the entry shows must not cost a request each time.
 */
const enabledCache = new WeakMap<APIClient, Promise<AuthenticatorEntry[]>>();
/** Whether any is enabled, once known. */
const enabledKnown = new WeakMap<APIClient, boolean>();

function loadEnabledAuthenticators(api: APIClient, refresh = false): Promise<AuthenticatorEntry[]> {
  let pending = refresh ? undefined : enabledCache.get(api);
  if (!pending) {
    pending = api.request(publicListRequest()).then((response) => {
      const entries = dingTalkAuthenticatorsFromBody(response.data);
      enabledKnown.set(api, entries.length > 0);
      return entries;
    });
    // A failure is not cached: the next render asks again.
    pending.catch(() => enabledCache.delete(api));
    enabledCache.set(api, pending);
  }
  return pending;
}

/** Called at plugin load, so that the user menu knows before it is first opened. */
export function prefetchDingTalkEnabled(api: APIClient): void {
  loadEnabledAuthenticators(api).catch(() => undefined);
}

/**
 * Whether any DingTalk sign-in is enabled, to hide the entry otherwise. Shown while unknown: the user menu collects
 * its entries when it renders, and an entry that appears later stays missing until the menu is opened again.
 */
function useDingTalkEnabled(): boolean {
  const api = useAPIClient();
  const [enabled, setEnabled] = useState(() => enabledKnown.get(api) ?? true);
  useEffect(() => {
    let cancelled = false;
    loadEnabledAuthenticators(api)
      .then((entries) => {
        if (!cancelled) setEnabled(entries.length > 0);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [api]);
  return enabled;
}

type DialogState =
  | { status: 'loading' }
  /** `locked`: links the user may not remove yet (no password). */
  | { status: 'ready'; rows: AccountRow[]; locked: Set<string> }
  | { status: 'failed'; shown: Shown };

/** The dialog's body: each DingTalk sign-in method, whether the user is linked through it, and the actions. */
export function MyDingTalkAccounts() {
  const { t, i18n } = useDingTalkTranslation();
  const api = useAPIClient();
  const app = useApp();
  const { message } = App.useApp();
  const [state, setState] = useState<DialogState>({ status: 'loading' });
  /** The authenticator an action is running for (a link leaves the page, so it stays busy). */
  const [busy, setBusy] = useState<string>();
  const [actionError, setActionError] = useState<Shown>();

  const load = useCallback(async () => {
    try {
      const [authenticators, linksResponse] = await Promise.all([
        loadEnabledAuthenticators(api, true),
        api.request(myLinksRequest()),
      ]);
      const links = myLinksFromBody(linksResponse.data);
      setState({ status: 'ready', rows: accountRows(authenticators, links), locked: lockedLinks(links) });
    } catch (error) {
      setState({ status: 'failed', shown: shownFromError(error) });
    }
  }, [api]);

  useEffect(() => {
    load();
  }, [load]);

  // Back from DingTalk with the browser's Back button, the page may come from the bfcache still "busy".
  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) setBusy(undefined);
    };
    window.addEventListener('pageshow', onPageShow);
    return () => window.removeEventListener('pageshow', onPageShow);
  }, []);

  const link = async (name: string) => {
    setBusy(name);
    setActionError(undefined);
    try {
      const base = appBasePath(app.getPublicPath(), app.getName?.());
      const redirect = linkReturnPath(window.location.pathname, window.location.search, base);
      const response = await api.request(linkUrlRequest(name, redirect));
      const url = authUrlFromBody(response.data);
      if (!url) {
        setActionError({ key: GENERIC_ERROR });
        setBusy(undefined);
        return;
      }
      // Stays busy while the browser leaves for DingTalk; the landing finishes the linking on the way back.
      window.location.assign(url);
    } catch (error) {
      setActionError(shownFromError(error));
      setBusy(undefined);
    }
  };

  const unlink = async (name: string) => {
    setBusy(name);
    setActionError(undefined);
    try {
      await api.request(unlinkMeRequest(name));
      message.success(t('Your DingTalk account is unlinked.'));
      await load();
    } catch (error) {
      setActionError(shownFromError(error));
    } finally {
      setBusy(undefined);
    }
  };

  const actions = (row: AccountRow) => {
    if (row.link && state.status === 'ready' && state.locked.has(row.name)) {
      // Not a click away from a refusal: the button is off, and the row says why and what works.
      return [
        <Button key="unlink" danger disabled aria-describedby={`dingtalk-unlink-locked-${row.name}`}>
          {t('Unlink')}
        </Button>,
      ];
    }
    if (row.link) {
      return [
        <Popconfirm
          key="unlink"
          title={t('Unlink this DingTalk account?')}
          description={t(
            'You will no longer be able to sign in with it, and sign-in will not link it to your account again by itself. You can link it again here.',
          )}
          okText={t('Unlink')}
          okButtonProps={{ danger: true }}
          onConfirm={() => unlink(row.name)}
        >
          <Button danger loading={busy === row.name} disabled={busy !== undefined && busy !== row.name}>
            {t('Unlink')}
          </Button>
        </Popconfirm>,
      ];
    }
    if (!row.available) {
      return [];
    }
    return [
      <Button
        key="link"
        type="primary"
        loading={busy === row.name}
        disabled={busy !== undefined && busy !== row.name}
        onClick={() => link(row.name)}
      >
        {t('Link DingTalk account')}
      </Button>,
    ];
  };

  const errorShown = state.status === 'failed' ? state.shown : actionError;

  return (
    <Space direction="vertical" style={{ display: 'flex' }} data-testid="dingtalk-accounts">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t('Link your DingTalk account to sign in to this account with DingTalk.')}
      </Typography.Paragraph>
      {errorShown ? <Alert type="error" showIcon role="alert" message={textOf(t, errorShown)} /> : null}
      <List<AccountRow>
        bordered
        loading={state.status === 'loading'}
        dataSource={state.status === 'ready' ? state.rows : []}
        rowKey={(row) => row.name}
        locale={{ emptyText: state.status === 'ready' ? t('DingTalk sign-in is not enabled.') : ' ' }}
        renderItem={(row) => (
          <List.Item actions={actions(row)} data-testid={`dingtalk-account-${row.name}`}>
            <List.Item.Meta
              avatar={<DingTalkLogo size={32} />}
              title={
                <Space size="small" wrap>
                  <span>{row.title || t('DingTalk')}</span>
                  {row.link ? <Tag color="success">{t('Linked')}</Tag> : null}
                  {row.available ? null : <Tag color="warning">{t('Disabled')}</Tag>}
                </Space>
              }
              description={
                <>
                  {textOf(t, linkStateMessage(row, i18n.language))}
                  {row.link && state.status === 'ready' && state.locked.has(row.name) ? (
                    <Typography.Paragraph type="secondary" style={{ marginBottom: 0, marginTop: 4 }}>
                      <span id={`dingtalk-unlink-locked-${row.name}`}>{t(ERROR_MESSAGES.UNLINK_WOULD_LOCK_OUT)}</span>
                    </Typography.Paragraph>
                  ) : null}
                </>
              }
            />
          </List.Item>
        )}
      />
    </Space>
  );
}

/** The "DingTalk account" entry of the user menu, and the dialog it opens. */
export function DingTalkAccountMenuItem() {
  const { t } = useDingTalkTranslation();
  const settings = useSchemaSettings();
  const enabled = useDingTalkEnabled();
  const [open, setOpen] = useState(false);

  if (!enabled && !open) {
    return null;
  }
  return (
    <>
      <SchemaSettingsItem
        title="dingtalkAccount"
        eventKey="dingtalkAccount"
        onClick={() => {
          settings?.setVisible?.(false);
          setOpen(true);
        }}
      >
        {t('DingTalk account')}
      </SchemaSettingsItem>
      {open ? (
        // The dialog is rendered from the menu's item: keep its clicks from reaching the menu.
        <div onClick={(event) => event.stopPropagation()}>
          <Modal open title={t('DingTalk account')} footer={null} width={560} destroyOnClose onCancel={() => setOpen(false)}>
            <MyDingTalkAccounts />
          </Modal>
        </div>
      ) : null}
    </>
  );
}
