/**
 * Asset inventory: the devices of the plant, from a CSV file (the Sentinel watchlist CSV shape works), a JSON file or
 * inline in the config, with the IoTDevice entities of SecurityAlert rows as a lower-precedence fallback.
 *
 * Everything is parsed and indexed once at start; a lookup per alert is a few Map hits (IP, then MAC, then name).
 * Values are normalized on the way in (asset types, Purdue levels, criticality, MACs), so rows carry one spelling.
 */
export { type AssetIndex, buildAssetIndex, isController, primaryAsset, resolveAsset } from './assetIndex.js';
export { fieldOf, InventoryError, type RecordProblem } from './assetRecords.js';
export {
  ASSET_TYPES,
  type Asset,
  CONTROLLER_TYPES,
  CRITICALITIES,
  type Criticality,
  normalizeAssetType,
  normalizeIp,
  normalizeMac,
  parseCriticality,
  parsePurdueLevel,
} from './assetValues.js';
export { type CsvRecord, readCsv } from './csv.js';
export { entityAsset, findEntity } from './entityAssets.js';
export { type InventoryConfig, inventoryConfigSchema } from './inventoryConfig.js';
export {
  loadInventoryFile,
  parseInventory,
  parseInventoryCsv,
  parseInventoryJson,
} from './inventoryFiles.js';
