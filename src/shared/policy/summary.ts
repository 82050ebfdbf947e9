import type { OrgPolicy } from './schema';

/** One line for settings and logs: whose policy, which admin key signed it, until when, how much is in it. */
export function summarizePolicy(p: OrgPolicy, keyId: string): string {
  const keys = p.people.reduce((n, person) => n + person.supervisorKeys.length, 0);
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  return `Org policy of "${p.org}", signed by admin key ${keyId}, valid until ${p.expiresAt}: ${n(p.people.length, 'person', 'people')}, ${n(p.teams.length, 'team', 'teams')}, ${n(keys, 'supervisor key', 'supervisor keys')} enrolled.`;
}
