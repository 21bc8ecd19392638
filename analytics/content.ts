/**
 * Where the Sentinel content lives and how it is read.
 *
 * Two layouts are accepted for a content directory:
 * - the repository: `analytics/rules/*.yaml`, `analytics/hunting/*.yaml`, `analytics/dataConnectors/*.json`,
 *   `workbooks/*.json`;
 * - flat: `rules/*.yaml`, `hunting/*.yaml`, `dataConnectors/*.json`, `workbooks/*.json` (handy for a content pack or a
 *   test fixture).
 * Both may hold the generated ARM template at `infra/sentinel-content.json`, which the validator checks too.
 * A directory is treated as the repository layout when it has an `analytics/` folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// Where the package is (also the Function's app root): pipeline/util/packageRoot.ts.
import { packageRoot } from '../pipeline/util/packageRoot.js';
import { type JsonSource, parseJsonSource, parseYamlSource, type YamlSource } from './source.js';

export { packageRoot };

export interface ContentLayout {
  readonly root: string;
  readonly rules: string;
  readonly hunting: string;
  readonly workbooks: string;
  readonly dataConnectors: string;
  /** The generated ARM template (may not exist). */
  readonly armTemplate: string;
}

export function contentLayout(dir: string = packageRoot()): ContentLayout {
  const root = resolve(dir);
  if (existsSync(join(root, 'analytics'))) {
    return {
      root,
      rules: join(root, 'analytics', 'rules'),
      hunting: join(root, 'analytics', 'hunting'),
      workbooks: join(root, 'workbooks'),
      dataConnectors: join(root, 'analytics', 'dataConnectors'),
      armTemplate: join(root, 'infra', 'sentinel-content.json'),
    };
  }
  return {
    root,
    rules: join(root, 'rules'),
    hunting: join(root, 'hunting'),
    workbooks: join(root, 'workbooks'),
    dataConnectors: join(root, 'dataConnectors'),
    armTemplate: join(root, 'infra', 'sentinel-content.json'),
  };
}

/** Files with one of the extensions in `dir`, sorted by name; none when the folder does not exist. */
export function listFiles(dir: string, extensions: readonly string[]): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => extensions.some((e) => f.toLowerCase().endsWith(e)))
    .sort()
    .map((f) => join(dir, f));
}

export interface Content {
  readonly layout: ContentLayout;
  readonly rules: readonly YamlSource[];
  readonly hunting: readonly YamlSource[];
  readonly workbooks: readonly JsonSource[];
  readonly dataConnectors: readonly JsonSource[];
  readonly armTemplate?: JsonSource;
}

/** The data connector definitions of a content layout (ot-soc's own by default). */
export function loadDataConnectors(layout: ContentLayout = contentLayout()): JsonSource[] {
  return listFiles(layout.dataConnectors, ['.json']).map((f) => parseJsonSource(f, readFileSync(f, 'utf8')));
}

export function loadContent(dir?: string): Content {
  const layout = contentLayout(dir);
  const yaml = (d: string) =>
    listFiles(d, ['.yaml', '.yml']).map((f) => parseYamlSource(f, readFileSync(f, 'utf8')));
  const json = (d: string) => listFiles(d, ['.json']).map((f) => parseJsonSource(f, readFileSync(f, 'utf8')));
  return {
    layout,
    rules: yaml(layout.rules),
    hunting: yaml(layout.hunting),
    workbooks: json(layout.workbooks),
    dataConnectors: loadDataConnectors(layout),
    ...(existsSync(layout.armTemplate)
      ? { armTemplate: parseJsonSource(layout.armTemplate, readFileSync(layout.armTemplate, 'utf8')) }
      : {}),
  };
}
