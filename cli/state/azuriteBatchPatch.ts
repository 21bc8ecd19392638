/**
 * Part of the Azurite launcher (azuriteLauncher.ts appends it before starting Azurite; plain CommonJS text that
 * uses the launcher's `main`, `join` and `dirname`). Two costs of Azurite 3.35's `$batch` handling that grow with
 * the request's size and answer nothing, each a tenth of Azurite's CPU in a `replay --state` (CPU profile of a
 * 50,000-row replay: 0.8 s and 0.5 s of 12.7 s):
 *
 * - TableHandler.batch writes the whole request and the whole response into debug log messages, each through
 *   JSON.stringify, whether or not debug logging is on. The copy below is the same method without those two
 *   messages.
 * - BatchSerialization.extractBatchBoundary runs decodeURI over the whole request only to find the boundary,
 *   which the SDKs (and tableTransaction.ts) write in plain ASCII at its start: it is looked for there first,
 *   and Azurite's own method runs when it is not found.
 *
 * Same answers (test/cli/azuriteJournal.test.ts and the Table store suites run on this launcher); re-check both
 * on any Azurite upgrade.
 */
export const BATCH_PATCH = `
{
  const table = join(dirname(main), 'table');
  const lib = (p) => require(join(table, p));
  const dflt = (p) => lib(p).default;
  const Handler = dflt('handlers/TableHandler.js');
  const Context = dflt('context/TableStorageContext.js');
  const Orchestrator = dflt('batch/TableBatchOrchestrator.js');
  const Utils = dflt('batch/TableBatchUtils.js');
  const Errors = dflt('errors/StorageErrorFactory.js');
  const constants = lib('utils/constants.js');
  const toReadable = require(require.resolve('to-readable-stream', { paths: [table] }));
  const toStream = toReadable.default || toReadable;
  Handler.prototype.batch = async function (body, multipartContentType, contentLength, options, context) {
    const tableCtx = new Context(context);
    if (contentLength && contentLength > constants.BODY_SIZE_MAX) throw Errors.getRequestBodyTooLarge(context);
    else this.checkBodyLimit(context, context.request?.getBody());
    const contentTypeResponse = tableCtx.request?.getHeader('content-type')?.replace('batch', 'batchresponse');
    const manager = new Orchestrator(tableCtx, this, this.metadataStore);
    const requestBody = await Utils.StreamToString(body);
    const response = await manager.processBatchRequestAndSerializeResponse(requestBody);
    return {
      contentType: contentTypeResponse,
      requestId: tableCtx.contextID,
      version: constants.TABLE_API_VERSION,
      date: context.startTime,
      statusCode: 202,
      body: toStream(response),
    };
  };
  const Serialization = lib('batch/BatchSerialization.js').BatchSerialization;
  const extract = Serialization.prototype.extractBatchBoundary;
  Serialization.prototype.extractBatchBoundary = function (text) {
    const m = /^--batch_(\\w+-?)+/.exec(text);
    if (m) this.batchBoundary = m[0];
    else extract.call(this, text);
  };
}
`;
