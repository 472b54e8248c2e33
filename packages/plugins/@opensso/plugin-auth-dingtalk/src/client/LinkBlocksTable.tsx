import { useAPIClient } from '@nocobase/client';
import { Alert, App, Button, Popconfirm, Space, Table, TableColumnsType, Typography } from 'antd';
import React, { useCallback, useEffect, useState } from 'react';
import { Shown, shownFromError, textOf } from './landing';
import { LinkBlockRow, linkBlocksPageFromBody, linkBlocksRequest, removedByMessage, removeLinkBlockRequest, userLabel } from './link-blocks';
import { formatDate, ListPage } from './links';
import { useDingTalkTranslation } from './locale';

const PAGE_SIZE = 10;

/** The value on one line, or `—`. */
function text(value: string | undefined) {
  return value ? <span style={{ whiteSpace: 'nowrap' }}>{value}</span> : <Typography.Text type="secondary">—</Typography.Text>;
}

/**
 * The DingTalk accounts of one authenticator that were unlinked from a user (by the user or an admin): sign-in no
 * longer links them to that user by phone or email (checklist G8). Clearing one lets matching link it again.
 * `refreshKey` changes when the page above removed a link, which adds a row here; the page renders one table per
 * authenticator (keyed by it), so the page number starts over with another.
 */
export function LinkBlocksTable({ authenticator, refreshKey }: { authenticator: string; refreshKey: number }) {
  const { t, i18n } = useDingTalkTranslation();
  const api = useAPIClient();
  const { message } = App.useApp();
  const [page, setPage] = useState(1);
  const [list, setList] = useState<ListPage<LinkBlockRow>>({ rows: [], count: 0 });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Shown>();

  const load = useCallback(
    async (current: number) => {
      setLoading(true);
      try {
        const next = linkBlocksPageFromBody((await api.request(linkBlocksRequest(authenticator, current, PAGE_SIZE))).data);
        // The last row of the last page was cleared: show the page before.
        if (next.rows.length === 0 && next.count > 0 && current > 1) {
          setPage(Math.max(1, Math.ceil(next.count / PAGE_SIZE)));
          return;
        }
        setList(next);
        setError(undefined);
      } catch (failure) {
        setList({ rows: [], count: 0 });
        setError(shownFromError(failure));
      } finally {
        setLoading(false);
      }
    },
    [api, authenticator],
  );

  useEffect(() => {
    load(page);
  }, [load, page, refreshKey]);

  const clear = async (row: LinkBlockRow) => {
    try {
      await api.request(removeLinkBlockRequest(authenticator, row.userId, row.unionId));
      message.success(t('Automatic matching is allowed again.'));
    } catch (failure) {
      setError(shownFromError(failure));
    }
    await load(page);
  };

  const columns: TableColumnsType<LinkBlockRow> = [
    {
      key: 'user',
      title: t('User'),
      render: (_, row) => <Typography.Text strong>{userLabel(row.user, row.userId)}</Typography.Text>,
    },
    { key: 'nickname', title: t('DingTalk nickname'), render: (_, row) => text(row.nickname) },
    {
      key: 'unionId',
      title: 'unionId',
      render: (_, row) => (
        <Typography.Text code copyable={{ text: row.unionId, tooltips: [t('Copy'), t('Copied')] }}>
          {row.unionId}
        </Typography.Text>
      ),
    },
    {
      key: 'removedBy',
      title: t('Unlinked'),
      render: (_, row) => {
        const by = removedByMessage(row.removedBy);
        return text([by ? t(by) : undefined, formatDate(row.createdAt, i18n.language, true)].filter(Boolean).join(', '));
      },
    },
    {
      key: 'actions',
      title: t('Actions'),
      render: (_, row) => (
        <Popconfirm
          title={t('Allow automatic matching of {{user}} again?', { user: userLabel(row.user, row.userId), interpolation: { escapeValue: false } })}
          description={t('At its next sign-in, this DingTalk account may be linked to this user again by phone number or email.')}
          okText={t('Allow matching')}
          onConfirm={() => clear(row)}
        >
          <Button type="link" size="small">
            {t('Allow matching')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Space direction="vertical" size="small" style={{ display: 'flex' }} data-testid="dingtalk-link-blocks">
      <Typography.Text strong>{t('Unlinked DingTalk accounts')}</Typography.Text>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        {t(
          "Sign-in does not link these DingTalk accounts again to the user they were unlinked from, even when the phone number or email matches. The user can still link one on purpose from their DingTalk account menu.",
        )}
      </Typography.Paragraph>
      {error ? <Alert type="error" showIcon role="alert" message={textOf(t, error)} /> : null}
      <Table<LinkBlockRow>
        size="small"
        rowKey={(row) => `${row.userId}:${row.unionId}`}
        loading={loading}
        columns={columns}
        dataSource={list.rows}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('No DingTalk account was unlinked.') }}
        pagination={{ current: page, pageSize: PAGE_SIZE, total: list.count, onChange: (next) => setPage(next) }}
      />
    </Space>
  );
}
