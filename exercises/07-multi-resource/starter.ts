/**
 * Exercise 07 — many resources with relationships. Read README.md first; then make
 * `npm run exercise -- 07` pass.
 *
 * This version lists every resource, and tells the runtime nothing about how they relate.
 * Each `TODO(you)` marks a gap.
 */
import type { Resource } from '../../src/index.js';

export interface Channel {
  readonly name: string;
  /** A member of the same team. */
  readonly owner: string;
}

export interface Team {
  readonly name: string;
  readonly budget: number;
  readonly members: readonly string[];
  readonly channels?: readonly Channel[];
}

/** The organisation as people write it down: nested. */
export interface Org {
  readonly teams: readonly Team[];
}

/** The organisation as the runtime manages it: a flat list of resources that say what they need. */
export function toResources(org: Org): Resource[] {
  const resources: Resource[] = [];
  for (const team of org.teams) {
    resources.push({ kind: 'team', name: team.name, spec: { budget: team.budget } });
    for (const person of team.members) {
      // TODO(you): a member can only exist in a team that exists.
      resources.push({ kind: 'member', name: `${team.name}.${person}`, spec: { team: team.name, person } });
    }
    for (const channel of team.channels ?? []) {
      // TODO(you): a channel needs its team, and its owner must be a member of that team.
      resources.push({
        kind: 'channel',
        name: `${team.name}.${channel.name}`,
        spec: { team: team.name, owner: channel.owner },
      });
    }
  }
  return resources;
}
