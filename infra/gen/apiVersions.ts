/** API versions used (all listed in infra/allowlist.json). */
export const API = {
  eventHub: '2024-01-01',
  storage: '2023-05-01',
  web: '2024-04-01',
  appInsights: '2020-02-02',
  workspace: '2023-09-01',
  workspaceTable: '2022-10-01',
  dataExport: '2020-08-01',
  dataCollection: '2023-03-11',
  keyVault: '2023-07-01',
  roleAssignment: '2022-04-01',
  deployment: '2022-09-01',
} as const;
