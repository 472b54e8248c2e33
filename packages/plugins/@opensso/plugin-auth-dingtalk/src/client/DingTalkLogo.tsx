import React from 'react';

/** A DingTalk-like mark drawn for this plugin: a blue rounded square with a white wing/bolt. */
export function DingTalkLogo({ size = 18 }: { size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      role="img"
      aria-hidden="true"
      focusable="false"
      style={{ display: 'inline-block', verticalAlign: '-0.2em', flex: 'none' }}
    >
      <rect width="24" height="24" rx="5.5" fill="#1677ff" />
      <path
        fill="#fff"
        d="M5.6 6.9c3.9 1.5 8.1 2.2 12.6 1.9-.4 1.8-1.7 3.1-3.6 3.8l1.9.2-5.3 5.9 1.1-3.6H9.5l1.1-2.1C8.4 12.4 6.6 10.3 5.6 6.9z"
      />
    </svg>
  );
}
