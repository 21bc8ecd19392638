#!/usr/bin/env bash
# Deploys ot-soc to Azure with the az CLI alone (no azd, no Bicep):
#   0. validates infra/ offline (the same checks as `ot-soc validate`) and stops on any problem;
#   1. infrastructure: `az deployment group create` with infra/main.json and a parameters file;
#   2. code: `npm run build`, a production-only package (dist/, host.json, package.json, node_modules without
#      devDependencies) zipped and deployed to the Flex Consumption app (kept for rollback);
#   3. companions, when present, each its own deployment into the Sentinel workspace's resource group, their
#      required parameters filled from the main deployment's outputs: infra/sentinel-content.json (rules,
#      hunting queries, workbooks) and, for each playbook named with --playbooks, infra/playbook-shim.json (the
#      Logic App + its automation rules, bound to the ids of the analytics rules in sentinel-content.json, with
#      the order of docs/playbooks.md); the Function's key goes to Key Vault first (the shim reads it there).
#
# Usage:
#   infra/deploy.sh -g <resource-group> [-l <location>] [-p <parameters.json>] [--playbooks a,b]
#                   [--inventory <file>] [--what-if] [--infra-only | --code-only]
#
#   -g   resource group for ot-soc (created in <location> when -l is given and it does not exist)
#   -p   parameters file (default: infra/main.parameters.json, else infra/main.parameters.example.json)
#   --playbooks    playbook shims to deploy: auto-close,reassign-ot,create-ticket,notify-teams,sync-status or
#                  all (default none: an automation rule that closes or reassigns incidents is switched on
#                  deliberately)
#   --inventory    the plant's asset inventory (any CSV or JSON `ot-soc inventory` reads, e.g. Defender for IoT's
#                  device inventory export): converted once to the OTAssetInventory watchlist CSV, packaged with
#                  the app as inventory.csv and named in OTSOC_CONFIG (enrichment.inventory.file), and deployed as
#                  the watchlist (assetInventoryCsv): the pipeline and the rules see the same devices. Give it on
#                  every deployment of code once OTSOC_CONFIG names it (the app refuses to start without the file)
#   --what-if      show what the infrastructure deployment would change, deploy nothing
#   --infra-only   steps 0, 1 and 3;  --code-only: step 2 against the app of the last deployment in the group
#
# Needs: az (logged in: `az login`), Node 20 + npm, zip. The signed-in user becomes Key Vault Secrets Officer
# on the new vault (to set the secrets afterwards) unless the parameters file sets keyVaultSecretsOfficerPrincipalId.
set -euo pipefail

CALLER=$(pwd)
cd "$(dirname "$0")/.."
ROOT=$(pwd)

RG=""
LOCATION=""
PARAMS=""
MODE="all"
WHAT_IF=0
PLAYBOOKS=""
INVENTORY=""
while [ $# -gt 0 ]; do
  case "$1" in
    -g) RG="$2"; shift 2 ;;
    -l) LOCATION="$2"; shift 2 ;;
    -p) PARAMS="$2"; shift 2 ;;
    --what-if) WHAT_IF=1; shift ;;
    --infra-only) MODE="infra"; shift ;;
    --code-only) MODE="code"; shift ;;
    --playbooks) PLAYBOOKS="$2"; shift 2 ;;
    --inventory) INVENTORY="$2"; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$RG" ] || { echo "missing -g <resource-group> (see --help)" >&2; exit 2; }
if [ -z "$PARAMS" ]; then
  if [ -f infra/main.parameters.json ]; then PARAMS=infra/main.parameters.json; else PARAMS=infra/main.parameters.example.json; fi
fi
[ -f "$PARAMS" ] || { echo "parameters file not found: $PARAMS" >&2; exit 2; }
# A relative --inventory is from where the script was run (else from the repository root, as -p is).
case "$INVENTORY" in /*|"") ;; *) [ -f "$CALLER/$INVENTORY" ] && INVENTORY="$CALLER/$INVENTORY" ;; esac
[ -z "$INVENTORY" ] || [ -f "$INVENTORY" ] || { echo "inventory file not found: $INVENTORY" >&2; exit 2; }

for tool in az node npm zip; do
  command -v "$tool" >/dev/null || { echo "missing prerequisite: $tool" >&2; exit 2; }
done
az account show --query '{subscription:name, id:id, user:user.name}' -o table >/dev/null \
  || { echo "not logged in: run az login (and az account set -s <subscription>)" >&2; exit 2; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME="ot-soc-$STAMP"
OUT="$ROOT/.ot-soc/deploy/$NAME"
mkdir -p "$OUT"

# Reads one output of a deployment's outputs JSON.
output() { node -e "const o=require(process.argv[1]); const v=o[process.argv[2]]; process.stdout.write(v===undefined?'':String(v.value))" "$1" "$2"; }

echo "== 0. offline validation of infra/"
npm run build --silent
node --input-type=module -e "
  const { validateInfra, formatProblem } = await import('./dist/infra/validate/index.js');
  const problems = validateInfra('infra');
  for (const p of problems) console.error('  ' + formatProblem(p));
  if (problems.length) { console.error(problems.length + ' problem(s): fix them before deploying'); process.exit(1); }
  console.log('  infra/ is valid');
"

if [ -n "$INVENTORY" ]; then
  echo "== inventory: $INVENTORY → the app's inventory.csv and the OTAssetInventory watchlist"
  node dist/cli/main.js inventory --input "$INVENTORY" --out "$OUT/inventory.csv"
  [ "$MODE" != "code" ] || echo "  --code-only: packaged; OTSOC_CONFIG names it only if an earlier deployment with --inventory set it"
fi

if [ "$MODE" != "code" ]; then
  if [ -n "$LOCATION" ] && [ "$(az group exists -n "$RG")" != "true" ]; then
    echo "== creating resource group $RG in $LOCATION"
    az group create -n "$RG" -l "$LOCATION" -o none
  fi
  EXTRA=()
  if ! grep -q '"keyVaultSecretsOfficerPrincipalId"' "$PARAMS"; then
    ME=$(az ad signed-in-user show --query id -o tsv 2>/dev/null || true)
    [ -n "$ME" ] && EXTRA+=(keyVaultSecretsOfficerPrincipalId="$ME")
  fi
  if [ -n "$INVENTORY" ]; then
    # OTSOC_CONFIG as the parameters file has it, naming the packaged inventory.
    node -e "
      const fs = require('node:fs');
      const [paramsFile, out] = process.argv.slice(1);
      const params = JSON.parse(fs.readFileSync(paramsFile, 'utf8').replace(/^\uFEFF/, ''));
      const config = params.parameters?.otsocConfig?.value ?? {};
      const enrichment = config.enrichment ?? {};
      const inventory = { ...(enrichment.inventory ?? {}), file: 'inventory.csv' };
      fs.writeFileSync(out, JSON.stringify({ ...config, enrichment: { ...enrichment, inventory } }));
    " "$PARAMS" "$OUT/otsocConfig.json"
    # KEY=@file: the value read from a file, overriding the parameters file's (az deployment group create --help)
    EXTRA+=(otsocConfig=@"$OUT/otsocConfig.json")
  fi

  if [ "$WHAT_IF" = 1 ]; then
    echo "== what-if: infra/main.json into $RG"
    az deployment group what-if -g "$RG" -n "$NAME" -f infra/main.json -p @"$PARAMS" ${EXTRA[@]+"${EXTRA[@]}"}
    exit 0
  fi

  echo "== 1. infrastructure: deployment $NAME into $RG (parameters: $PARAMS)"
  az deployment group create -g "$RG" -n "$NAME" -f infra/main.json -p @"$PARAMS" ${EXTRA[@]+"${EXTRA[@]}"} \
    --query properties.outputs -o json > "$OUT/outputs.json"
else
  LAST=$(az deployment group list -g "$RG" --query "sort_by([?starts_with(name, 'ot-soc-') && properties.provisioningState=='Succeeded' && properties.outputs.functionAppName != null], &properties.timestamp)[-1].name" -o tsv)
  [ -n "$LAST" ] || { echo "no successful ot-soc deployment in $RG: deploy the infrastructure first" >&2; exit 1; }
  az deployment group show -g "$RG" -n "$LAST" --query properties.outputs -o json > "$OUT/outputs.json"
fi

APP=$(output "$OUT/outputs.json" functionAppName)
WS_RG=$(output "$OUT/outputs.json" workspaceResourceGroup)

if [ "$MODE" != "infra" ]; then
  echo "== 2. code: package and zip deploy to $APP"
  STAGE="$OUT/package"
  mkdir -p "$STAGE"
  cp -R dist host.json package.json package-lock.json "$STAGE"/
  [ -z "$INVENTORY" ] || cp "$OUT/inventory.csv" "$STAGE/inventory.csv"
  (cd "$STAGE" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --silent)
  (cd "$STAGE" && zip -qr "$OUT/app.zip" .)
  rm -rf "$STAGE"
  # The app reads its package with its identity: right after a first deployment the Storage Blob Data Owner
  # assignment may still be propagating, so retry for a few minutes.
  for attempt in 1 2 3 4 5; do
    if az functionapp deployment source config-zip -g "$RG" -n "$APP" --src "$OUT/app.zip" -o none; then break; fi
    [ "$attempt" = 5 ] && { echo "zip deploy failed" >&2; exit 1; }
    echo "  zip deploy failed (attempt $attempt), retrying in 60 s"
    sleep 60
  done
  echo "  deployed $OUT/app.zip (keep it: it is what a rollback redeploys)"
fi

# Writes a parameters file for a companion template: its required parameters from the main deployment's
# outputs (same name, or workspace = workspaceName), plus the JSON object of extra values in $3.
companion_params() {
  node -e "
    const [tplFile, outFile, extraJson, paramsOut] = process.argv.slice(1);
    const tpl = require(tplFile), out = require(outFile);
    // \$3: JSON, or @file holding it (a watchlist's CSV is too long for an argument)
    const extra = JSON.parse(extraJson.startsWith('@') ? require('node:fs').readFileSync(extraJson.slice(1), 'utf8') : extraJson);
    const known = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]));
    known.workspace ??= known.workspaceName;
    const values = {}, missing = [];
    for (const [name, def] of Object.entries(tpl.parameters ?? {})) {
      if (name in extra) values[name] = { value: extra[name] };
      else if ('defaultValue' in def) continue;
      else if (known[name] === undefined) missing.push(name);
      else values[name] = { value: known[name] };
    }
    if (missing.length) { console.error('  ' + tplFile + ': no value for required parameter(s) ' + missing.join(', ')); process.exit(1); }
    require('node:fs').writeFileSync(paramsOut, JSON.stringify({
      \$schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0', parameters: values }, null, 2));
  " "$1" "$OUT/outputs.json" "$2" "$3"
}

if [ "$MODE" != "code" ]; then
  echo "== 3. companion templates (into the workspace's resource group $WS_RG)"
  if [ -f infra/sentinel-content.json ]; then
    echo '{}' > "$OUT/sentinel-content.extra.json"
    if [ -n "$INVENTORY" ]; then
      node -e "
        const fs = require('node:fs');
        fs.writeFileSync(process.argv[2], JSON.stringify({ assetInventoryCsv: fs.readFileSync(process.argv[1], 'utf8') }));
      " "$OUT/inventory.csv" "$OUT/sentinel-content.extra.json"
    fi
    if companion_params "$ROOT/infra/sentinel-content.json" @"$OUT/sentinel-content.extra.json" "$OUT/sentinel-content.parameters.json"; then
      echo "  infra/sentinel-content.json"
      az deployment group create -g "$WS_RG" -n "$NAME-content" -f infra/sentinel-content.json \
        -p @"$OUT/sentinel-content.parameters.json" -o none
    fi
  else
    echo "  infra/sentinel-content.json: not present, skipped"
  fi

  if [ -n "$PLAYBOOKS" ] && [ -f infra/playbook-shim.json ]; then
    KV=$(output "$OUT/outputs.json" keyVaultName)
    SECRET=ot-soc-playbooks-function-key
    echo "  function key of $APP → Key Vault $KV secret $SECRET"
    KEYFILE=$(mktemp)
    chmod 600 "$KEYFILE"
    az functionapp keys list -g "$RG" -n "$APP" --query functionKeys.default -o tsv > "$KEYFILE"
    for attempt in 1 2 3 4 5 6; do # the Secrets Officer role may take a few minutes to apply
      if az keyvault secret set --vault-name "$KV" -n "$SECRET" --file "$KEYFILE" -o none 2>/dev/null; then break; fi
      [ "$attempt" = 6 ] && { rm -f "$KEYFILE"; echo "cannot write $SECRET to $KV (Key Vault Secrets Officer?)" >&2; exit 1; }
      sleep 30
    done
    rm -f "$KEYFILE"
    SAME_RG=false
    [ "$(echo "$RG" | tr '[:upper:]' '[:lower:]')" = "$(echo "$WS_RG" | tr '[:upper:]' '[:lower:]')" ] && SAME_RG=true
    SENTINEL_SP=$(az ad sp show --id 98785600-1bb7-4fb9-b9fa-19afe2c8a360 --query id -o tsv 2>/dev/null || true)
    [ "$PLAYBOOKS" = all ] && PLAYBOOKS=auto-close,reassign-ot,create-ticket,notify-teams,sync-status
    for pb in ${PLAYBOOKS//,/ }; do
      # The automation rules' conditions (shipped rule ids) and order are in the template itself.
      case "$pb" in
        auto-close|reassign-ot|create-ticket|notify-teams|sync-status) ;;
        *) echo "unknown playbook: $pb" >&2; exit 2 ;;
      esac
      EXTRA_JSON="{\"playbook\":\"$pb\",\"assignRoles\":$SAME_RG,\"functionKeySecretName\":\"$SECRET\",\"functionHostName\":\"$(output "$OUT/outputs.json" functionHostName)\""
      [ -n "$SENTINEL_SP" ] && EXTRA_JSON+=",\"sentinelServicePrincipalObjectId\":\"$SENTINEL_SP\""
      EXTRA_JSON+="}"
      companion_params "$ROOT/infra/playbook-shim.json" "$EXTRA_JSON" "$OUT/shim-$pb.parameters.json" || exit 1
      echo "  infra/playbook-shim.json for $pb"
      az deployment group create -g "$WS_RG" -n "$NAME-shim-$pb" -f infra/playbook-shim.json \
        -p @"$OUT/shim-$pb.parameters.json" --query properties.outputs -o json > "$OUT/shim-$pb.outputs.json"
      if [ "$SAME_RG" = false ]; then
        # the shim can only grant roles in its own resource group: the vault is in ours
        LA=$(output "$OUT/shim-$pb.outputs.json" logicAppPrincipalId)
        az role assignment create --assignee-object-id "$LA" --assignee-principal-type ServicePrincipal \
          --role 4633458b-17de-408a-b874-0445c86b69e6 --scope "$(az keyvault show -n "$KV" --query id -o tsv)" -o none
        az role assignment create --assignee-object-id "$LA" --assignee-principal-type ServicePrincipal \
          --role 8d289c81-5878-46d4-8554-54e1e3d8b5cb --scope "$(output "$OUT/outputs.json" workspaceResourceId)" -o none
      fi
    done
  elif [ -z "$PLAYBOOKS" ]; then
    echo "  infra/playbook-shim.json: no --playbooks given, skipped"
  else
    echo "  infra/playbook-shim.json: not present, skipped"
  fi
fi

KV=$(output "$OUT/outputs.json" keyVaultName)
WS=$(output "$OUT/outputs.json" workspaceName)
cat <<EOF

Done: $NAME (outputs in $OUT/outputs.json)

Next:
  - secrets (never in templates or parameter files):
      az keyvault secret set --vault-name $KV -n teams-webhook-url --value '<Workflows URL>'
    and map app settings to them with the keyVaultReferences parameter, e.g.
      "keyVaultReferences": { "value": { "OTSOC_TEAMS_WEBHOOK_URL": "teams-webhook-url" } }
  - point the sensors at the hub: README "Deploy to Azure"
  - verify:
      az monitor log-analytics query -w \$(az monitor log-analytics workspace show -g $WS_RG -n $WS --query customerId -o tsv) \\
        --analytics-query 'OTAlerts_CL | take 10' -o table
EOF
