/** Scalar function calls: the registry of implemented functions; anything else is refused with its name. */
import { type Compiled, type Env, unsupported } from '../../engine/env.js';
import { compileScalar } from '../../engine/scalar.js';
import { nameOf, type SNode, slot } from '../../syntax/tree.js';
import type { KqlColumn } from '../../types.js';
import { CONVERSION } from './conversion.js';
import { DATETIME } from './datetime.js';
import { DYNAMIC } from './dynamic.js';
import { LOGICAL } from './logical.js';
import { MATH } from './math.js';
import { NETWORK } from './network.js';
import type { ScalarImpl } from './registry.js';
import { STRING } from './string.js';

export const SCALAR_FUNCTIONS: Readonly<Record<string, ScalarImpl>> = {
  ...LOGICAL,
  ...STRING,
  ...DATETIME,
  ...MATH,
  ...CONVERSION,
  ...DYNAMIC,
  ...NETWORK,
};

export function callName(n: SNode): string {
  return n.ref?.name ?? nameOf(slot(n, 'Name')!);
}

export function callArgs(n: SNode): SNode[] {
  return slot(n, 'ArgumentList')?.slots.get('Expressions')?.children ?? [];
}

export function compileCall(n: SNode, env: Env, schema: readonly KqlColumn[]): Compiled {
  const name = callName(n);
  const impl = Object.hasOwn(SCALAR_FUNCTIONS, name) ? SCALAR_FUNCTIONS[name] : undefined;
  if (!impl) return unsupported(`function ${name}()`, n);
  const nodes = callArgs(n);
  // typeof(T) arguments are read from the node by the function itself (extract()).
  const args = nodes.map((a) =>
    a.kind === 'TypeOfLiteralExpression' ? () => null : compileScalar(a, env, schema),
  );
  return impl({ call: n, nodes, args, env, schema });
}
