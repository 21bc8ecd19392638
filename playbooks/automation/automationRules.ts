/**
 * Sentinel automation rules (api-version 2025-09-01, `AutomationRules.json`) as deployed, and which of them run
 * for an incident event. This is the documented evaluation: rules of the event's trigger (`Created` or
 * `Updated`), enabled and not expired, whose conditions all hold, in ascending `order` (ties by name here:
 * the service breaks them by creation time). Conditions:
 * - `Property`: the incident property against `propertyValues` with the operator (Equals, Contains, StartsWith,
 *   EndsWith and their negations; an array property such as IncidentRelatedAnalyticRuleIds holds when any item
 *   does, a negated operator when no item matches); string comparison is case-insensitive;
 * - `PropertyChanged` (Updated only): IncidentSeverity/IncidentStatus/IncidentOwner, `ChangedFrom` on the
 *   previous value, `ChangedTo` on the new one; the property must have changed;
 * - `PropertyArrayChanged` (Updated only): items `Added` to Alerts, Labels, Tactics or Comments;
 * - `Boolean`: `And`/`Or` over inner conditions.
 * Anything else is an error naming it, never a silent false.
 */
export type AutomationOperator =
  | 'Equals'
  | 'NotEquals'
  | 'Contains'
  | 'NotContains'
  | 'StartsWith'
  | 'NotStartsWith'
  | 'EndsWith'
  | 'NotEndsWith';

export type AutomationCondition =
  | {
      conditionType: 'Property';
      conditionProperties: { propertyName: string; operator: AutomationOperator; propertyValues: string[] };
    }
  | {
      conditionType: 'PropertyChanged';
      conditionProperties: {
        propertyName: 'IncidentSeverity' | 'IncidentStatus' | 'IncidentOwner';
        changeType: 'ChangedFrom' | 'ChangedTo';
        operator?: AutomationOperator;
        propertyValues?: string[];
      };
    }
  | {
      conditionType: 'PropertyArrayChanged';
      conditionProperties: { arrayType: 'Alerts' | 'Labels' | 'Tactics' | 'Comments'; changeType: 'Added' };
    }
  | {
      conditionType: 'Boolean';
      conditionProperties: { operator: 'And' | 'Or'; innerConditions: AutomationCondition[] };
    };

export interface AutomationRule {
  /** Resource name (a GUID). */
  name: string;
  properties: {
    displayName: string;
    order: number;
    triggeringLogic: {
      isEnabled: boolean;
      triggersOn: 'Incidents' | 'Alerts';
      triggersWhen: 'Created' | 'Updated';
      expirationTimeUtc?: string;
      conditions?: AutomationCondition[];
    };
    actions: {
      order: number;
      actionType: string;
      actionConfiguration?: { logicAppResourceId?: string; tenantId?: string; [k: string]: unknown };
    }[];
  };
}

/** What the conditions can see of an incident. */
export interface IncidentView {
  title: string;
  description?: string;
  severity: string;
  status: string;
  relatedAnalyticRuleIds: string[];
  tactics?: string[];
  labels?: string[];
  providerName?: string;
  alertProductNames?: string[];
  /** Owner object id (or UPN) for IncidentOwner conditions. */
  owner?: string;
}

export type IncidentEvent =
  | { kind: 'Created'; incident: IncidentView; at?: Date }
  | {
      kind: 'Updated';
      incident: IncidentView;
      previous: IncidentView;
      added?: Partial<Record<'Alerts' | 'Labels' | 'Tactics' | 'Comments', number>>;
      at?: Date;
    };

export class AutomationRuleError extends Error {}

const PROPERTY: Record<string, (i: IncidentView) => string | string[] | undefined> = {
  IncidentTitle: (i) => i.title,
  IncidentDescription: (i) => i.description,
  IncidentSeverity: (i) => i.severity,
  IncidentStatus: (i) => i.status,
  IncidentRelatedAnalyticRuleIds: (i) => i.relatedAnalyticRuleIds,
  AlertAnalyticRuleIds: (i) => i.relatedAnalyticRuleIds,
  IncidentTactics: (i) => i.tactics ?? [],
  IncidentLabel: (i) => i.labels ?? [],
  IncidentProviderName: (i) => i.providerName,
  AlertProductNames: (i) => i.alertProductNames ?? [],
  IncidentOwner: (i) => i.owner,
};

function test1(op: AutomationOperator, value: string, wanted: string): boolean {
  const v = value.toLowerCase();
  const w = wanted.toLowerCase();
  switch (op.replace(/^Not/, '')) {
    case 'Equals':
      return v === w;
    case 'Contains':
      return v.includes(w);
    case 'StartsWith':
      return v.startsWith(w);
    case 'EndsWith':
      return v.endsWith(w);
    default:
      throw new AutomationRuleError(`unknown operator ${op}`);
  }
}

/** The operator over a scalar or array property (positive: any item matches any value; negated: none does). */
export function compare(
  op: AutomationOperator,
  actual: string | string[] | undefined,
  values: readonly string[],
): boolean {
  const items = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  const any = items.some((item) => values.some((w) => test1(op, item, w)));
  return op.startsWith('Not') ? !any : any;
}

function propertyOf(name: string, i: IncidentView): string | string[] | undefined {
  const get = PROPERTY[name];
  if (!get) throw new AutomationRuleError(`condition property ${name} is not modelled`);
  return get(i);
}

export function conditionHolds(c: AutomationCondition, event: IncidentEvent): boolean {
  switch (c.conditionType) {
    case 'Property': {
      const p = c.conditionProperties;
      return compare(p.operator, propertyOf(p.propertyName, event.incident), p.propertyValues);
    }
    case 'PropertyChanged': {
      if (event.kind !== 'Updated') return false;
      const p = c.conditionProperties;
      const before = propertyOf(p.propertyName, event.previous);
      const after = propertyOf(p.propertyName, event.incident);
      if (JSON.stringify(before) === JSON.stringify(after)) return false;
      if (!p.operator || !p.propertyValues?.length) return true;
      return compare(p.operator, p.changeType === 'ChangedFrom' ? before : after, p.propertyValues);
    }
    case 'PropertyArrayChanged':
      return event.kind === 'Updated' && (event.added?.[c.conditionProperties.arrayType] ?? 0) > 0;
    case 'Boolean': {
      const inner = c.conditionProperties.innerConditions.map((x) => conditionHolds(x, event));
      return c.conditionProperties.operator === 'Or' ? inner.some(Boolean) : inner.every(Boolean);
    }
    default:
      throw new AutomationRuleError(
        `condition type ${(c as { conditionType: string }).conditionType} is not modelled`,
      );
  }
}

/** The rules that run for an event, in the order Sentinel runs them. */
export function matchingRules(rules: readonly AutomationRule[], event: IncidentEvent): AutomationRule[] {
  const at = event.at ?? new Date();
  return rules
    .filter((r) => {
      const t = r.properties.triggeringLogic;
      if (!t.isEnabled || t.triggersOn !== 'Incidents' || t.triggersWhen !== event.kind) return false;
      if (t.expirationTimeUtc && Date.parse(t.expirationTimeUtc) <= at.getTime()) return false;
      return (t.conditions ?? []).every((c) => conditionHolds(c, event));
    })
    .sort((a, b) => a.properties.order - b.properties.order || a.name.localeCompare(b.name));
}

/** The Logic Apps a rule runs, in action order. */
export const playbooksOf = (rule: AutomationRule): string[] =>
  [...rule.properties.actions]
    .sort((a, b) => a.order - b.order)
    .filter((a) => a.actionType === 'RunPlaybook' && a.actionConfiguration?.logicAppResourceId)
    .map((a) => a.actionConfiguration!.logicAppResourceId!);
