/**
 * The fields of the "DingTalk" source's settings in user-data-sync's Synchronization settings, shared by the v1
 * (formily) and v2 (antd Form) forms. The server reads them in server/directory-sync-source.ts (`SyncSourceOptions`):
 * `authenticator` (a DingTalk authenticator's name: its Client ID/Secret are the organization app's AppKey/AppSecret),
 * `rootDeptId` (empty: the whole organization), `syncDepartments` (default on), `leavers` (`lockOut` | `report`).
 */
import type { APIClient } from '@nocobase/sdk';
import { Radio, Select } from 'antd';
import React, { useEffect, useState } from 'react';
import { dingTalkAuthenticatorsFromBody, dingTalkAuthenticatorsRequest, type AuthenticatorEntry } from './links';
import { useDingTalkTranslation } from './locale';
import type { FieldProps } from './settings-fields';

export const SYNC_LEAVER_ACTIONS = ['lockOut', 'report'] as const;
export type SyncLeaverAction = (typeof SYNC_LEAVER_ACTIONS)[number];
export const SYNC_DEFAULTS = { syncDepartments: true, leavers: 'lockOut' as SyncLeaverAction };

export function directorySyncTexts(t: (key: string) => string) {
  return {
    intro: t(
      'Synchronizes the DingTalk organization directory (departments and members) into NocoBase. The DingTalk app needs the directory read permissions (通讯录只读权限); see the README.',
    ),
    authenticator: t('DingTalk sign-in method'),
    authenticatorHint: t("Its Client ID and Client Secret must be the organization app's AppKey and AppSecret. People are matched to users exactly as this sign-in matches them."),
    rootDeptId: t('Root department ID'),
    rootDeptIdHint: t('Empty: the whole organization. Otherwise only this department and its sub-departments (leavers are then only people deactivated in DingTalk).'),
    syncDepartments: t('Synchronize departments'),
    leavers: t('People who left or were deactivated'),
    lockOut: t('Lock out (end their sessions, refuse their DingTalk sign-in)'),
    report: t('Only report'),
  };
}

/** The DingTalk authenticators to choose from (every one, enabled or not), by name. */
export function AuthenticatorSelect({ value, onChange, disabled, readOnly, api }: FieldProps<string> & { api: APIClient }) {
  const [entries, setEntries] = useState<AuthenticatorEntry[]>([]);
  useEffect(() => {
    let live = true;
    api
      .request(dingTalkAuthenticatorsRequest())
      .then((res) => live && setEntries(dingTalkAuthenticatorsFromBody(res.data)))
      .catch(() => live && setEntries([]));
    return () => {
      live = false;
    };
  }, [api]);
  return (
    <Select
      value={value || undefined}
      onChange={(next: string) => onChange?.(next)}
      disabled={disabled || readOnly}
      options={entries.map((entry) => ({ value: entry.name, label: entry.title ? `${entry.title} (${entry.name})` : entry.name }))}
    />
  );
}

export function LeaversRadios({ value, onChange, disabled, readOnly }: FieldProps<SyncLeaverAction>) {
  const { t } = useDingTalkTranslation();
  const texts = directorySyncTexts(t);
  return (
    <Radio.Group
      value={value ?? SYNC_DEFAULTS.leavers}
      onChange={(event) => onChange?.(event.target.value as SyncLeaverAction)}
      disabled={disabled || readOnly}
      options={SYNC_LEAVER_ACTIONS.map((action) => ({ value: action, label: texts[action] }))}
    />
  );
}
