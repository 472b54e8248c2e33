import { useAPIClient } from '@nocobase/client';
import { Alert, App, Button, Card, Popconfirm, Select, Space, Table, TableColumnsType, Typography } from 'antd';
import React, { useCallback, useEffect, useState } from 'react';
import { Shown, shownFromError, textOf } from './landing';
import { LinkBlocksTable } from './LinkBlocksTable';
import { userLabel } from './link-blocks';
import {
  AuthenticatorEntry,
  dingTalkAuthenticatorsFromBody,
  dingTalkAuthenticatorsRequest,
  formatDate,
  LinkRow,
  LinksPage,
  linksPageFromBody,
  linksRequest,
  publicListRequest,
  removeLinkRequest,
} from './links';
import { useDingTalkTranslation } from './locale';

const PAGE_SIZE = 20;

type Query = { authenticator: string; page: number; pageSize: number };

/** A `—` for what the record does not have. */
function Missing() {
  return <Typography.Text type="secondary">—</Typography.Text>;
}

const NOWRAP = { whiteSpace: 'nowrap' } as const;

/** The value on one line (the table scrolls sideways rather than wrapping ids and dates), or `—`. */
function text(value: string | undefined) {
  return value ? <span style={NOWRAP}>{value}</span> : <Missing />;
}

function userName(row: LinkRow): string {
  return userLabel(row.user, row.userId);
}

/**
 * Settings → Authentication → DingTalk accounts: which NocoBase users are linked to which DingTalk account, per
 * DingTalk authenticator, and removing a link (e.g. a DingTalk account linked to the wrong user); below, the
 * accounts unlinked from a user, which sign-in does not link to that user again by itself.
 */
export function DingTalkLinksSettings() {
  const { t, i18n } = useDingTalkTranslation();
  const api = useAPIClient();
  const { message } = App.useApp();
  const [authenticators, setAuthenticators] = useState<AuthenticatorEntry[]>();
  const [query, setQuery] = useState<Query>();
  const [page, setPage] = useState<LinksPage>({ rows: [], count: 0 });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Shown>();
  /** Bumped by each removed link (the list of unlinked accounts below gains a row) and by Refresh. */
  const [refreshes, setRefreshes] = useState(0);

  // Every DingTalk authenticator (disabled ones too: their links still exist). A role allowed to see links but
  // not to manage authenticators gets the enabled ones.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      let entries: AuthenticatorEntry[];
      try {
        entries = dingTalkAuthenticatorsFromBody((await api.request(dingTalkAuthenticatorsRequest())).data);
      } catch {
        try {
          entries = dingTalkAuthenticatorsFromBody((await api.request(publicListRequest())).data);
        } catch (failure) {
          if (!cancelled) setError(shownFromError(failure));
          entries = [];
        }
      }
      if (cancelled) return;
      setAuthenticators(entries);
      if (entries.length) setQuery({ authenticator: entries[0].name, page: 1, pageSize: PAGE_SIZE });
    })();
    return () => {
      cancelled = true;
    };
  }, [api]);

  const load = useCallback(
    async (current: Query) => {
      setLoading(true);
      try {
        const response = await api.request(linksRequest(current.authenticator, current.page, current.pageSize));
        const next = linksPageFromBody(response.data);
        // The last row of the last page was removed: show the page before.
        if (next.rows.length === 0 && next.count > 0 && current.page > 1) {
          setQuery({ ...current, page: Math.max(1, Math.ceil(next.count / current.pageSize)) });
          return;
        }
        setPage(next);
        setError(undefined);
      } catch (failure) {
        setPage({ rows: [], count: 0 });
        setError(shownFromError(failure));
      } finally {
        setLoading(false);
      }
    },
    [api],
  );

  useEffect(() => {
    if (query) load(query);
  }, [query, load]);

  const remove = async (row: LinkRow) => {
    if (!query) return;
    try {
      await api.request(removeLinkRequest(query.authenticator, row.userId));
      message.success(t('The link was removed.'));
      setError(undefined);
      setRefreshes((n) => n + 1);
    } catch (failure) {
      setError(shownFromError(failure));
    }
    await load(query);
  };

  const columns: TableColumnsType<LinkRow> = [
    {
      key: 'user',
      title: t('User'),
      render: (_, row) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong style={NOWRAP}>
            {userName(row)}
          </Typography.Text>
          {row.user?.username && row.user.username !== userName(row) ? (
            <Typography.Text type="secondary">{row.user.username}</Typography.Text>
          ) : null}
        </Space>
      ),
    },
    { key: 'email', title: t('Email'), render: (_, row) => text(row.user?.email) },
    { key: 'phone', title: t('Phone number'), render: (_, row) => text(row.user?.phone) },
    { key: 'nickname', title: t('DingTalk nickname'), render: (_, row) => text(row.nickname) },
    {
      key: 'unionId',
      title: 'unionId',
      render: (_, row) =>
        row.unionId ? (
          <Typography.Text code style={NOWRAP} copyable={{ text: row.unionId, tooltips: [t('Copy'), t('Copied')] }}>
            {row.unionId}
          </Typography.Text>
        ) : (
          <Missing />
        ),
    },
    {
      key: 'corpId',
      title: t('Organization (corpId)'),
      render: (_, row) =>
        row.corpId ? (
          <Typography.Text code style={NOWRAP}>
            {row.corpId}
          </Typography.Text>
        ) : (
          <Missing />
        ),
    },
    {
      key: 'createdAt',
      title: t('Linked at'),
      render: (_, row) => text(formatDate(row.createdAt, i18n.language, true)),
    },
    {
      key: 'actions',
      title: t('Actions'),
      render: (_, row) => (
        <Popconfirm
          title={t('Remove the link of {{user}}?', { user: userName(row), interpolation: { escapeValue: false } })}
          description={t(
            'They will no longer be able to sign in with this DingTalk account, and sign-in will not link it to them again by phone number or email, until they link it themselves or you allow matching below.',
          )}
          okText={t('Remove link')}
          okButtonProps={{ danger: true }}
          onConfirm={() => remove(row)}
        >
          <Button type="link" danger size="small">
            {t('Remove link')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  const options = (authenticators ?? []).map((entry) => ({
    value: entry.name,
    label: `${entry.title ?? entry.name}${entry.title ? ` (${entry.name})` : ''}${entry.enabled ? '' : ` · ${t('Disabled')}`}`,
  }));

  return (
    <Card bordered={false}>
      <Space direction="vertical" size="middle" style={{ display: 'flex' }} data-testid="dingtalk-links">
        <Space wrap align="center">
          <Typography.Text>{t('Authenticator')}</Typography.Text>
          <Select<string>
            aria-label={t('Authenticator')}
            style={{ minWidth: 280 }}
            loading={authenticators === undefined}
            value={query?.authenticator ?? null}
            options={options}
            placeholder={t('No DingTalk authenticator')}
            notFoundContent={t('No DingTalk authenticator')}
            onChange={(value) => {
              if (typeof value === 'string') setQuery({ authenticator: value, page: 1, pageSize: query?.pageSize ?? PAGE_SIZE });
            }}
          />
          <Button
            disabled={!query}
            onClick={() => {
              if (!query) return;
              load(query);
              setRefreshes((n) => n + 1);
            }}
          >
            {t('Refresh')}
          </Button>
        </Space>
        {error ? <Alert type="error" showIcon role="alert" message={textOf(t, error)} /> : null}
        <Table<LinkRow>
          size="middle"
          rowKey={(row) => String(row.userId)}
          loading={loading || authenticators === undefined}
          columns={columns}
          dataSource={page.rows}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('No user is linked to a DingTalk account yet.') }}
          pagination={{
            current: query?.page ?? 1,
            pageSize: query?.pageSize ?? PAGE_SIZE,
            total: page.count,
            showSizeChanger: true,
            showTotal: (total) => t('Linked users: {{total}}', { total }),
            onChange: (nextPage, pageSize) =>
              query && setQuery({ ...query, page: pageSize === query.pageSize ? nextPage : 1, pageSize }),
          }}
        />
        {query ? <LinkBlocksTable key={query.authenticator} authenticator={query.authenticator} refreshKey={refreshes} /> : null}
      </Space>
    </Card>
  );
}
