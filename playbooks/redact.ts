/**
 * Secret scrubbing for text that may reach a log or an HTTP answer (error messages from fetch, SDKs or
 * configuration parsing). A Teams Workflows URL carries its signature in `sig=`, a function URL its key in
 * `code=`, a SAS URL its token in the query: every URL keeps its scheme, host and path (what an operator needs
 * to find the problem) and loses its query string and user info. Bearer/Basic credentials and connection-string
 * keys are masked too.
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>`]+)/gi;
const CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const KEY_VALUE =
  /\b(SharedAccessKey|SharedAccessSignature|AccountKey|sig|code|password|client_secret|access_token|api[-_]?key|token)=([^;&\s"']+)/gi;

export const REDACTED = '[redacted]';

export function redactSecrets(text: string): string {
  return text
    .replace(URL_IN_TEXT, (_m, scheme: string, rest: string) => {
      let r = rest;
      const at = r.indexOf('@');
      const slash = r.indexOf('/');
      if (at >= 0 && (slash < 0 || at < slash)) r = `${REDACTED}@${r.slice(at + 1)}`;
      const q = r.indexOf('?');
      if (q >= 0) {
        const hash = r.indexOf('#', q);
        r = `${r.slice(0, q)}?${REDACTED}${hash >= 0 ? r.slice(hash) : ''}`;
      }
      return `${scheme}${r}`;
    })
    .replace(CREDENTIAL, (_m, kind: string) => `${kind} ${REDACTED}`)
    .replace(KEY_VALUE, (_m, key: string) => `${key}=${REDACTED}`);
}
