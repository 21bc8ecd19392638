/** The page shell: inline CSS only (no script, no external asset; the CSP says so), screen and print. */
import { escapeHtml } from './html.js';

const CSS = `
:root{--fg:#1b1b1b;--muted:#555;--line:#d0d0d0;--accent:#1f4e9c}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:#fff;margin:0 auto;padding:16px 20px;max-width:1240px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:2px solid var(--accent);padding-bottom:.2em}
h3{font-size:1.1em;margin:1.2em 0 .4em}h4{font-size:1em;margin:.6em 0 .3em;overflow-wrap:break-word;hyphens:auto}h5{font-size:.9em;margin:.6em 0 .2em}
p{margin:.4em 0}code{font-size:.92em;background:#f2f2f2;padding:0 .2em}
.muted{color:var(--muted)}.small{font-size:.8em;font-weight:normal}.note{background:#fff6d6;border-left:4px solid #b58900;padding:.4em .8em}
nav.toc ol{display:flex;flex-wrap:wrap;gap:.3em 1.4em;padding-left:0;margin:.4em 0;list-style-position:inside}
.items{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.item{flex:1 1 calc(var(--w,100) * 1% - 12px);min-width:0;overflow-wrap:anywhere}
.item.params{flex-basis:100%}
.pill{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 .6em;font-size:.85em;background:#f7f7f7}
.tiles{display:flex;flex-wrap:wrap;gap:6px;margin:.3em 0}
.tile{flex:1 1 150px;min-width:0;border:1px solid var(--line);border-radius:5px;padding:.35em .55em;display:flex;flex-direction:column;overflow-wrap:anywhere}
.tile.blue{border-color:#9ab8ee;background:#eef3fc}.tile.cold{color:#3d3d3d;background:#fafafa}
.tile-title{font-size:.85em}.tile-value{font-size:1.45em;line-height:1.2}.tile-sub{font-size:.75em;color:#333}
.tiles.size-4 .tile{padding:.25em .35em}.tiles.size-4 .tile-title{font-size:.74em;line-height:1.2}.tiles.size-4 .tile-value{font-size:1.05em}
.table-wrap{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:12px;margin:.3em 0}
th,td{border:1px solid var(--line);padding:.2em .4em;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#eceff4;font-weight:600}table.dense,.narrow table{font-size:11px}table.dense td.long{overflow-wrap:anywhere}table.dense th,table.dense td{padding:.2em .25em}td.num{text-align:right;white-space:nowrap}
td.bar{position:relative;min-width:4em}.barfill{position:absolute;left:0;top:2px;bottom:2px;opacity:.9}.barval{position:relative}
figure.chart{margin:.3em 0}figure.chart svg{max-width:100%;height:auto}figcaption{font-size:.85em;color:var(--muted)}
.pie{display:flex;gap:1em;align-items:center;flex-wrap:wrap}.legend{list-style:none;padding:0;margin:0;font-size:.9em}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;vertical-align:middle}
.visual-status{border:1px dashed #999;padding:.5em .8em;background:#fafafa}
.visual-status.unsupported,.visual-status.error{border-color:#b03a2e;background:#fdf0ee;color:#7a1f16}
details.kql summary{cursor:pointer;color:var(--muted);font-size:.8em}details.kql pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:11px;background:#f6f6f6;padding:.5em}
.funnel{display:flex;flex-wrap:wrap;gap:0;list-style:none;padding:0;margin:.5em 0}
.funnel li{border:1px solid #9ab8ee;background:#eef3fc;padding:.4em .9em;margin-right:1.4em;position:relative;border-radius:4px}
.funnel li b{display:block;font-size:1.4em}.funnel li:not(:last-child)::after{content:"→";position:absolute;right:-1.2em;top:35%;color:var(--muted)}
.incident{border:1px solid var(--line);border-radius:6px;padding:.3em .8em;margin:.6em 0}.reasons{margin:0 0 0 1.1em;padding:0}table.incidents td:first-child{width:30%}table.incidents td:nth-child(3){width:36%}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media print{
@page{size:A4 landscape;margin:10mm}
body{max-width:none;padding:0;font-size:11px}
details.kql,nav.toc{display:none}
section.workbook{break-before:page}
.item,.tile,tr,figure,.incident{break-inside:avoid}
.table-wrap{overflow:visible}
table{font-size:10px}table.dense,.narrow table{font-size:9px}th,td{padding:.15em .25em}
}`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style></head><body>
${body}
</body></html>
`;
}
