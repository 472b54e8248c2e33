/**
 * The message box above a DingTalk button. The person's own cancel is not a failure, so it is informational; any
 * other refusal is an error whose code is shown small under the sentence, for support to ask about (the page
 * removes it from the address once read). Either can be closed.
 */
import { Alert, Typography } from 'antd';
import React from 'react';
import type { ErrorCode } from '../errors';
import { useDingTalkTranslation } from './locale';

export type BoxKind = { type: 'info' | 'error'; code?: ErrorCode };

export function boxKind(code: ErrorCode | undefined): BoxKind {
  if (code === 'CANCELLED') return { type: 'info' };
  return code ? { type: 'error', code } : { type: 'error' };
}

export function MessageBox({ message, code, onClose }: { message: string; code?: ErrorCode; onClose: () => void }) {
  const { t } = useDingTalkTranslation();
  const kind = boxKind(code);
  return (
    <Alert
      type={kind.type}
      showIcon
      closable
      onClose={onClose}
      role={kind.type === 'error' ? 'alert' : 'status'}
      message={message}
      description={
        kind.code ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="dingtalk-error-code">
            {t('Error code: {{code}}', { code: kind.code })}
          </Typography.Text>
        ) : undefined
      }
    />
  );
}
