import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, showsField } from '../../work-notice-form';

describe('the work notification message form (v1 and v2)', () => {
  it('shows a title for Markdown and action cards, buttons and their layout for action cards only', () => {
    const shown = Object.fromEntries(
      MESSAGE_TYPES.map((type) => [type, (['title', 'buttons', 'buttonLayout'] as const).filter((field) => showsField(field, type))]),
    );
    expect(shown).toEqual({ text: [], markdown: ['title'], actionCard: ['title', 'buttons', 'buttonLayout'] });
  });

  it('reads a message with no type, or an unknown one, as text', () => {
    expect(showsField('title', undefined)).toBe(false);
    expect(showsField('buttons', 'link')).toBe(false);
  });
});
