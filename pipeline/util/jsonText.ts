/**
 * JSON.parse of a configuration file's text. Windows editors (Notepad, PowerShell `Out-File`, Excel's "UTF-8"
 * exports) start files with a UTF-8 byte-order mark, which JSON.parse refuses ("Unexpected token"); input files
 * already accept it (docs/local-state.md), configuration files do too.
 */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
