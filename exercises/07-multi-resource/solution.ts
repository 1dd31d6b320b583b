/**
 * Exercise 07 — many resources with relationships: a solution.
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
    const teamKey = `team/${team.name}`;
    resources.push({ kind: 'team', name: team.name, spec: { budget: team.budget } });
    for (const person of team.members) {
      resources.push({
        kind: 'member',
        name: `${team.name}.${person}`,
        spec: { team: team.name, person },
        dependsOn: [teamKey],
      });
    }
    for (const channel of team.channels ?? []) {
      resources.push({
        kind: 'channel',
        name: `${team.name}.${channel.name}`,
        spec: { team: team.name, owner: channel.owner },
        dependsOn: [teamKey, `member/${team.name}.${channel.owner}`],
      });
    }
  }
  return resources;
}
