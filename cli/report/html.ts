/** HTML helpers. Alert text comes from the network: everything is escaped, nothing from an alert is markup. */
import type { KqlValue } from './engine.js';

export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** UTC, minutes (seconds only when not zero): what an analyst reads in a cell. */
export function formatTime(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const s = d.getUTCSeconds() ? `:${pad(d.getUTCSeconds())}` : '';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${s}`;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** JSON with a space after each separator, so a long value can wrap. */
const compactJson = (v: KqlValue): string => JSON.stringify(v).replace(/,"/g, ', "').replace(/":/g, '": ');

/** One cell value as text: numbers grouped, times in UTC, dynamic values as compact JSON. */
export function cellText(v: KqlValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return formatTime(v);
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v))
    return v.map((x) => (x !== null && typeof x === 'object' ? compactJson(x) : cellText(x))).join(', ');
  if (typeof v === 'object') return compactJson(v);
  return String(v);
}

/** A plain table with header cells (scope=col) for screen readers. */
export function table(head: readonly string[], rows: readonly unknown[][], cls = 'grid'): string {
  return `<div class="table-wrap"><table class="${cls}"><thead><tr>${head
    .map((h) => `<th scope="col">${escapeHtml(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

function inline(s: string): string {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/**
 * The workbooks' markdown items use headings, paragraphs, **bold** and `code` only; this renders exactly that
 * (escaped first, so nothing else becomes markup). Headings are shifted one level down under the section heading.
 */
export function markdownHtml(md: string, headingBase = 2): string {
  return md
    .split(/\n{2,}/)
    .map((block) => {
      const b = block.trim();
      const h = /^(#{1,6})\s+(.*)$/s.exec(b);
      if (h) {
        const level = Math.min(6, h[1]!.length + headingBase - 1);
        return `<h${level}>${inline(h[2]!.replace(/\n/g, ' '))}</h${level}>`;
      }
      return b ? `<p>${inline(b.replace(/\n/g, ' '))}</p>` : '';
    })
    .join('');
}
