/**
 * The supervisor against a reference model of OTP's semantics.
 *
 * A small pure model (below) says what OTP does when children of a two-level tree crash, exit
 * normally or exit with `shutdown`, and time passes: strategy, restart type, the intensity
 * window, escalation. fast-check drives the model and the real supervisors with the same random
 * commands, on a TestClock, and after every command they must agree on which workers run, every
 * restart count, and which supervisors escalated.
 *
 * The model is written independently of the code under test: it does not use `planRestart`,
 * `recordRestart` or `shouldRestart`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../time/test-clock.js';
import {
  type ChildLink,
  type ChildSpec,
  createSupervisor,
  type ExitReason,
  type RestartType,
  type Strategy,
  type Supervisor,
  type SupervisorTree,
} from './index.js';

// ---------------------------------------------------------------------------------------------
// The shape of a generated tree

interface SupSetup {
  readonly strategy: Strategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
}

interface Setup {
  readonly root: SupSetup;
  /** Root children in start order: workers, and the nested supervisor `sub`. */
  readonly rootChildren: readonly { readonly id: string; readonly restart: RestartType }[];
  readonly sub: SupSetup;
  readonly subWorkers: readonly { readonly id: string; readonly restart: RestartType }[];
}

const restartType = fc.constantFrom<RestartType>('permanent', 'transient', 'temporary');
const supSetup = (maxRestarts: fc.Arbitrary<number>) =>
  fc.record({
    strategy: fc.constantFrom<Strategy>('oneForOne', 'oneForAll', 'restForOne'),
    maxRestarts,
    withinMs: fc.constantFrom(1000, 3000, 5000),
  });

const setupArb: fc.Arbitrary<Setup> = fc
  .record({
    root: supSetup(fc.integer({ min: 1, max: 4 })), // the root gives up less often, so runs go on
    rootWorkers: fc.array(restartType, { minLength: 1, maxLength: 3 }),
    subAt: fc.nat(),
    subRestart: restartType,
    sub: supSetup(fc.integer({ min: 0, max: 3 })),
    subWorkers: fc.array(restartType, { minLength: 2, maxLength: 3 }),
  })
  .map(({ root, rootWorkers, subAt, subRestart, sub, subWorkers }) => {
    const rootChildren = rootWorkers.map((restart, i) => ({ id: `w${i}`, restart }));
    rootChildren.splice(subAt % (rootChildren.length + 1), 0, { id: 'sub', restart: subRestart });
    return {
      root,
      rootChildren,
      sub,
      subWorkers: subWorkers.map((restart, i) => ({ id: `s${i}`, restart })),
    };
  });

// ---------------------------------------------------------------------------------------------
// The reference model

interface MWorker {
  readonly kind: 'worker';
  readonly id: string;
  readonly restart: RestartType;
  running: boolean;
  restarts: number;
  /** Which incarnation runs; a captured incarnation that differs is stale. */
  incarnation: number;
}

interface MSubChild {
  readonly kind: 'sub';
  readonly id: 'sub';
  readonly restart: RestartType;
  running: boolean;
  restarts: number;
  incarnation: number;
  sup: MSup;
}

type MChild = MWorker | MSubChild;

interface MSup {
  readonly id: string;
  readonly setup: SupSetup;
  state: 'running' | 'failed';
  restarts: number;
  /** Times of the restarts counted by the intensity. */
  history: number[];
  children: MChild[];
}

interface Model {
  readonly setup: Setup;
  now: number;
  nextIncarnation: number;
  root: MSup;
  escalated: string[];
}

function freshSub(model: Model): MSup {
  return {
    id: 'sub',
    setup: model.setup.sub,
    state: 'running',
    restarts: 0,
    history: [],
    children: model.setup.subWorkers.map((w) => ({
      kind: 'worker' as const,
      id: w.id,
      restart: w.restart,
      running: true,
      restarts: 0,
      incarnation: model.nextIncarnation++,
    })),
  };
}

function newModel(setup: Setup): Model {
  const model: Model = {
    setup,
    now: 0,
    nextIncarnation: 1,
    escalated: [],
    root: undefined as unknown as MSup,
  };
  model.root = {
    id: 'root',
    setup: setup.root,
    state: 'running',
    restarts: 0,
    history: [],
    children: setup.rootChildren.map((c): MChild => {
      if (c.id === 'sub') {
        return {
          kind: 'sub',
          id: 'sub',
          restart: c.restart,
          running: true,
          restarts: 0,
          incarnation: 0,
          sup: freshSub(model),
        };
      }
      return {
        kind: 'worker',
        id: c.id,
        restart: c.restart,
        running: true,
        restarts: 0,
        incarnation: model.nextIncarnation++,
      };
    }),
  };
  return model;
}

/** OTP's restart table, written out. */
function restarts(restart: RestartType, reason: ExitReason): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'transient') return reason === 'crash';
  return false;
}

function stopAll(sup: MSup): void {
  for (const c of sup.children) stopChild(c);
}

function stopChild(c: MChild): void {
  if (!c.running) return;
  c.running = false;
  if (c.kind === 'sub') stopAll(c.sup);
}

/** `sup`'s child `child` exited with `reason`. `parent` is set for the nested supervisor. */
function childExited(model: Model, sup: MSup, child: MChild, reason: ExitReason): void {
  child.running = false;
  if (!restarts(child.restart, reason)) {
    if (child.restart === 'temporary') sup.children = sup.children.filter((c) => c !== child);
    return;
  }
  // Intensity: the restarts within the period, this one included.
  sup.history = [model.now, ...sup.history.filter((t) => t > model.now - sup.setup.withinMs)];
  if (sup.history.length > sup.setup.maxRestarts) {
    stopAll(sup);
    sup.state = 'failed';
    model.escalated.push(sup.id);
    if (sup !== model.root) {
      const entry = model.root.children.find((c) => c.kind === 'sub')!;
      childExited(model, model.root, entry, 'crash');
    }
    return;
  }
  sup.restarts++;
  const at = sup.children.indexOf(child);
  const group =
    sup.setup.strategy === 'oneForOne'
      ? [child]
      : sup.setup.strategy === 'oneForAll'
        ? [...sup.children]
        : sup.children.slice(at);
  for (const c of [...group].reverse()) {
    if (c === child) continue;
    const wasRunning = c.running;
    stopChild(c);
    if (wasRunning && c.restart === 'temporary') sup.children = sup.children.filter((x) => x !== c);
  }
  for (const c of group) {
    if (!sup.children.includes(c)) continue;
    c.running = true;
    c.restarts++;
    c.incarnation = model.nextIncarnation++;
    if (c.kind === 'sub') c.sup = freshSub(model);
  }
}

/** Where a worker lives: a root worker or a worker of the nested supervisor. */
type Path = { readonly at: 'root'; readonly id: string } | { readonly at: 'sub'; readonly id: string };
const key = (p: Path) => `${p.at}/${p.id}`;

/** The running worker at `path`, if the model says it runs. */
function runningWorker(model: Model, path: Path): MWorker | undefined {
  if (model.root.state !== 'running') return undefined;
  if (path.at === 'root') {
    const c = model.root.children.find((x) => x.id === path.id);
    return c?.kind === 'worker' && c.running ? c : undefined;
  }
  const sub = model.root.children.find((x) => x.kind === 'sub');
  if (sub?.kind !== 'sub' || !sub.running || sub.sup.state !== 'running') return undefined;
  const w = sub.sup.children.find((x) => x.id === path.id);
  return w?.kind === 'worker' && w.running ? w : undefined;
}

/** A worker exits, if the incarnation that reported it is still the one running. */
function workerExited(model: Model, path: Path, incarnation: number, reason: ExitReason): void {
  const w = runningWorker(model, path);
  if (w === undefined || w.incarnation !== incarnation) return; // stale
  if (path.at === 'root') {
    childExited(model, model.root, w, reason);
    return;
  }
  const sub = model.root.children.find((x) => x.kind === 'sub') as MSubChild;
  childExited(model, sub.sup, w, reason);
}

// ---------------------------------------------------------------------------------------------
// The real system

class Real {
  readonly clock = new TestClock();
  readonly escalated: string[] = [];
  /** The link of each running worker, by path. */
  readonly live = new Map<string, ChildLink>();
  /** Links of incarnations that are gone: reporting through them must change nothing. */
  readonly retired: ChildLink[] = [];
  sub: Supervisor | undefined;
  readonly root: Supervisor;

  constructor(readonly setup: Setup) {
    const worker = (path: Path, restart: RestartType): ChildSpec => ({
      id: path.id,
      restart,
      start: (link) => {
        this.live.set(key(path), link);
        return {
          stop: () => {
            if (this.live.get(key(path)) === link) this.live.delete(key(path));
            this.retired.push(link);
          },
        };
      },
    });
    const subSpec = (restart: RestartType): ChildSpec => ({
      id: 'sub',
      type: 'supervisor',
      restart,
      start: (link) => {
        const sub = createSupervisor({
          ...setup.sub,
          clock: this.clock,
          children: setup.subWorkers.map((w) => worker({ at: 'sub', id: w.id }, w.restart)),
        });
        sub.on('supervisor:escalated', (e) => this.escalated.push(e.supervisor));
        this.sub = sub;
        return sub.start(link);
      },
    });
    this.root = createSupervisor({
      id: 'root',
      ...setup.root,
      clock: this.clock,
      children: setup.rootChildren.map((c) =>
        c.id === 'sub' ? subSpec(c.restart) : worker({ at: 'root', id: c.id }, c.restart),
      ),
    });
    this.root.on('supervisor:escalated', (e) => this.escalated.push(e.supervisor));
  }

  /** Report an exit through `link`, as the worker at `path` would. */
  report(path: Path, link: ChildLink, reason: ExitReason): void {
    if (this.live.get(key(path)) === link) {
      this.live.delete(key(path));
      this.retired.push(link);
    }
    link.exit(reason === 'crash' ? { reason, error: new Error(`${key(path)} crashed`) } : { reason });
  }
}

// ---------------------------------------------------------------------------------------------
// Agreement

function summary(tree: readonly { id: string; state: string; restarts: number }[]) {
  return tree.map((c) => `${c.id}:${c.state === 'running' ? 'up' : 'down'}:${c.restarts}`);
}

function modelSummary(children: readonly MChild[]) {
  return children.map((c) => `${c.id}:${c.running ? 'up' : 'down'}:${c.restarts}`);
}

function expectAgreement(model: Model, real: Real): void {
  const tree: SupervisorTree = real.root.tree();
  expect(real.escalated).toEqual(model.escalated);
  expect(tree.state).toBe(model.root.state);
  expect(tree.restarts).toBe(model.root.restarts);
  expect(summary(tree.children)).toEqual(modelSummary(model.root.children));

  const subModel = model.root.children.find((c) => c.kind === 'sub');
  const subReal = tree.children.find((c) => c.id === 'sub');
  if (subModel?.kind === 'sub' && subModel.running) {
    expect(summary(subReal?.children ?? [])).toEqual(modelSummary(subModel.sup.children));
    expect(real.sub!.tree().restarts).toBe(subModel.sup.restarts);
  } else {
    expect(subReal?.children).toBeUndefined();
  }

  const running = new Set<string>();
  for (const c of model.root.children) {
    if (c.kind === 'worker' && c.running) running.add(`root/${c.id}`);
    if (c.kind === 'sub' && c.running) {
      for (const w of c.sup.children) if (w.running) running.add(`sub/${w.id}`);
    }
  }
  expect(new Set(real.live.keys())).toEqual(running);
}

// ---------------------------------------------------------------------------------------------
// Commands

const settle = (real: Real) => real.clock.settle();

class ExitCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly path: Path,
    readonly reason: ExitReason,
  ) {}
  check = (m: Readonly<Model>) => runningWorker(m as Model, this.path) !== undefined;
  async run(m: Model, r: Real): Promise<void> {
    const w = runningWorker(m, this.path)!;
    const link = r.live.get(key(this.path));
    expect(link, `${key(this.path)} runs`).toBeDefined();
    workerExited(m, this.path, w.incarnation, this.reason);
    r.report(this.path, link!, this.reason);
    await settle(r);
    expectAgreement(m, r);
  }
  toString = () => `${key(this.path)} exits ${this.reason}`;
}

/** Two exits reported back to back, before the supervisors have handled the first. */
class TwoExitsCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly first: [Path, ExitReason],
    readonly second: [Path, ExitReason],
  ) {}
  check = (m: Readonly<Model>) =>
    runningWorker(m as Model, this.first[0]) !== undefined &&
    runningWorker(m as Model, this.second[0]) !== undefined;
  async run(m: Model, r: Real): Promise<void> {
    const [[p1, r1], [p2, r2]] = [this.first, this.second];
    const [i1, i2] = [runningWorker(m, p1)!.incarnation, runningWorker(m, p2)!.incarnation];
    const [l1, l2] = [r.live.get(key(p1))!, r.live.get(key(p2))!];
    workerExited(m, p1, i1, r1);
    workerExited(m, p2, i2, r2);
    r.report(p1, l1, r1);
    r.report(p2, l2, r2);
    await settle(r);
    expectAgreement(m, r);
  }
  toString = () =>
    `${key(this.first[0])} exits ${this.first[1]}, then ${key(this.second[0])} exits ${this.second[1]}`;
}

class StaleExitCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly reason: ExitReason,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    if (r.retired.length === 0) return;
    const link = r.retired[this.pick % r.retired.length]!;
    link.exit(
      this.reason === 'crash' ? { reason: 'crash', error: new Error('stale') } : { reason: this.reason },
    );
    await settle(r);
    expectAgreement(m, r);
  }
  toString = () => `a retired link reports ${this.reason}`;
}

class AdvanceCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.ms;
    await r.clock.advance(this.ms);
    expect(r.clock.now()).toBe(m.now);
    expectAgreement(m, r);
  }
  toString = () => `advance ${this.ms} ms`;
}

function commandsFor(setup: Setup) {
  const paths: Path[] = [
    ...setup.rootChildren.filter((c) => c.id !== 'sub').map((c) => ({ at: 'root' as const, id: c.id })),
    ...setup.subWorkers.map((w) => ({ at: 'sub' as const, id: w.id })),
  ];
  const path = fc.constantFrom(...paths);
  const reason = fc.constantFrom<ExitReason>('crash', 'crash', 'normal', 'shutdown');
  return [
    fc.tuple(path, reason).map(([p, r]) => new ExitCommand(p, r)),
    fc.tuple(path, reason).map(([p, r]) => new ExitCommand(p, r)),
    fc.tuple(fc.tuple(path, reason), fc.tuple(path, reason)).map(([a, b]) => new TwoExitsCommand(a, b)),
    fc.tuple(fc.nat(), reason).map(([n, r]) => new StaleExitCommand(n, r)),
    fc.integer({ min: 0, max: 2500 }).map((ms) => new AdvanceCommand(ms)),
  ];
}

describe('supervisor reference model', () => {
  it('agrees with a model of OTP on running children, restart counts and escalations', async () => {
    const scenario = setupArb.chain((setup) =>
      fc.tuple(fc.constant(setup), fc.commands(commandsFor(setup), { maxCommands: 30, size: 'large' })),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ([setup, cmds]) => {
        const real = new Real(setup);
        await real.root.start();
        const model = newModel(setup);
        expectAgreement(model, real);
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      }),
      { numRuns: 1000 },
    );
  });
});
