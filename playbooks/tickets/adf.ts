import type { TicketDraft } from './fields.js';
import { neutraliseFormula } from './fields.js';

/**
 * Atlassian Document Format, the only description Jira Cloud REST v3 accepts (a plain string is a 400,
 * docs/contracts.md#jira-cloud). Text nodes must not be empty; links are marks on text.
 */
export type AdfInline = { type: 'text'; text: string; marks?: { type: 'link'; attrs: { href: string } }[] };
export type AdfBlock =
  | { type: 'paragraph'; content: AdfInline[] }
  | { type: 'heading'; attrs: { level: number }; content: AdfInline[] }
  | { type: 'bulletList'; content: { type: 'listItem'; content: AdfBlock[] }[] };
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfBlock[];
}

const text = (s: string, href?: string): AdfInline[] =>
  s ? [{ type: 'text', text: s, ...(href ? { marks: [{ type: 'link', attrs: { href } }] } : {}) }] : [];

export function adfFromDraft(draft: TicketDraft): AdfDoc {
  const content: AdfBlock[] = [];
  for (const section of draft.sections) {
    content.push({ type: 'heading', attrs: { level: 3 }, content: text(section.heading) });
    content.push({
      type: 'bulletList',
      content: section.items
        .filter((i) => i.text)
        .map((i) => ({
          type: 'listItem',
          content: [
            {
              type: 'paragraph',
              content: text(
                neutraliseFormula(i.text),
                i.url && /^https:\/\//.test(i.url) ? i.url : undefined,
              ),
            },
          ],
        })),
    });
  }
  return {
    type: 'doc',
    version: 1,
    content: content.filter((b) => b.type !== 'bulletList' || b.content.length),
  };
}

/** One paragraph (a comment). */
export const adfParagraph = (s: string): AdfDoc => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: text(s) }],
});
