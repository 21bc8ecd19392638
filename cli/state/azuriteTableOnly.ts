/**
 * Part of the Azurite launcher (azuriteLauncher.ts ends with it; plain CommonJS text that uses the launcher's
 * `main`, `join` and `dirname`): with `--ot-soc-table-only` first among the arguments, only Azurite 3.35's Table
 * service starts, as its own `table/main.js` does it, else all three (`azurite.js`).
 *
 * Why: `--state` and the benches use only the Table service. Blob and Queue cost a quarter of Azurite's start
 * (~0.2 s of CPU, beside the CLI loading its own modules on a 2-core machine), two more ports, and six files and
 * folders in the state directory nobody reads. The Table service is the same class with the same configuration.
 *
 * Unlike `table/main.js`, which closes on SIGINT only, it closes on SIGTERM too (what AzuriteHandle.stop and the
 * launcher's `leave` send), so the database is journaled at close exactly as with `azurite.js`; the handlers are
 * registered once it listens, which `leave` waits for.
 */
export const TABLE_ONLY_FLAG = '--ot-soc-table-only';

export const TABLE_ONLY = `
function startTableOnly() {
  const src = dirname(main);
  const dflt = (p) => require(join(src, p)).default;
  const Environment = dflt('table/TableEnvironment.js');
  const Configuration = dflt('table/TableConfiguration.js');
  const Server = dflt('table/TableServer.js');
  const { DEFAULT_TABLE_LOKI_DB_PATH } = require(join(src, 'table', 'utils', 'constants.js'));
  (async () => {
    const env = new Environment();
    const location = await env.location();
    fs.mkdirSync(location, { recursive: true });
    const config = new Configuration(
      env.tableHost(), env.tablePort(), env.tableKeepAliveTimeout(), join(location, DEFAULT_TABLE_LOKI_DB_PATH),
      false, !env.silent(), undefined, undefined, env.loose(), env.skipApiVersionCheck(),
      undefined, undefined, undefined, undefined, env.disableProductStyleUrl(), env.inMemoryPersistence(),
    );
    const server = new Server(config);
    await server.start();
    console.log('Azurite Table service is successfully listening at ' + server.getHttpServerAddress());
    const close = () => {
      console.log('Azurite Table service is closing...');
      server.close().then(
        () => console.log('Azurite Table service successfully closed'),
        (e) => { console.error('Azurite Table service could not close: ' + (e && e.message)); process.exitCode = 1; },
      );
    };
    process.once('SIGTERM', close).once('SIGINT', close);
  })().catch((e) => {
    console.error('Exit due to unhandled error: ' + (e && e.message));
    process.exit(1);
  });
}
`;
