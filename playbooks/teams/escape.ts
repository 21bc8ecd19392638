/**
 * Alert text (titles, device names, descriptions) comes from the plant network: anyone who can name a device
 * or craft traffic writes into our card. Teams renders a Markdown subset in TextBlocks and FactSets and
 * auto-links bare URLs, so before alert text reaches a card every character that could start markup is
 * replaced by an inert look-alike, URL schemes are defanged, and invisible/bidi characters are removed.
 * Links on the card are only ever built by us from validated parts.
 */
const LOOKALIKE: Record<string, string> = {
  '<': '‹',
  '>': '›',
  '[': '［',
  ']': '］',
  '*': '∗',
  '`': 'ˋ',
  '~': '∼',
  '#': '＃',
  '|': '│',
  '\\': '⧵',
  '&': '＆',
  '{': '｛',
  '}': '｝',
};

// C0/C1 controls, zero-width characters, bidi embeddings/overrides/isolates, BOM.
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Plain, single-line, inert text of at most `max` characters for an Adaptive Card. */
export function cardText(value: unknown, max = 300): string {
  let s = String(value ?? '')
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  s = s.replace(/[<>[\]*`~#|\\&{}]/g, (c) => LOOKALIKE[c] ?? c);
  // Underscores emphasise only at word edges (CommonMark): keep PLC_01, neutralise _x_ and __x__ (lookarounds, so
  // the first of two underscores does not use up the character that marks the second as an edge).
  s = s.replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '＿');
  // No clickable schemes or auto-linked hosts: javascript:, data:, https://…, www.…
  // Wherever the scheme starts: `A+https://…` is no `A+https` scheme to a linkifier, it is a link after `A+`.
  s = s.replace(/(https?|ftp|file|javascript|vbscript|data|mailto|tel|ms-[a-z-]+):/gi, '$1：');
  s = s.replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}․`);
  // A leading list marker or ordered-list number would turn the line into a list.
  s = s.replace(/^([-+])(\s)/, (_m, c: string, sp: string) => `${c === '-' ? '‐' : '＋'}${sp}`);
  s = s.replace(
    /^(\d+)([.)])(\s)/,
    (_m, n: string, p: string, sp: string) => `${n}${p === '.' ? '．' : '）'}${sp}`,
  );
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Hosts whose links may appear on a card (the incident in the portals, Defender for IoT device pages). */
export const LINK_HOSTS = [
  'portal.azure.com',
  'security.microsoft.com',
  'mto.security.microsoft.com',
  'portal.azure.us',
  'portal.azure.cn',
  'attack.mitre.org',
];

/** The URL if it is https on an allowed host, else undefined (never a link to an attacker's page). */
export function safeLink(url: unknown, hosts: readonly string[] = LINK_HOSTS): string | undefined {
  if (typeof url !== 'string') return undefined;
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return undefined;
  const host = u.hostname.toLowerCase();
  return hosts.some((h) => host === h || host.endsWith(`.${h}`)) ? u.toString() : undefined;
}
