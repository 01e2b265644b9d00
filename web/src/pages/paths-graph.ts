/** The attack-path graph as cytoscape elements: one node per principal, one edge per distinct step. */
import type { ElementDefinition } from 'cytoscape';
import type { AttackPath, PathNode, PathStep } from '../types';
import { shortArn } from '../format';

export interface StepRef {
  id: string;
  step: PathStep;
}

export function stepId(s: PathStep): string {
  return `${s.from}|${s.technique}|${s.to}`;
}

export function graphElements(paths: AttackPath[], nodes: Record<string, PathNode>): { elements: ElementDefinition[]; steps: Map<string, PathStep> } {
  const entries = new Set(paths.map((p) => p.from));
  const targets = new Set(paths.map((p) => p.to));
  const ids = new Set<string>();
  const steps = new Map<string, PathStep>();
  for (const p of paths) {
    ids.add(p.from);
    for (const s of p.steps) {
      ids.add(s.from);
      ids.add(s.to);
      if (!steps.has(stepId(s))) steps.set(stepId(s), s);
    }
  }
  const elements: ElementDefinition[] = [];
  for (const id of ids) {
    const n = nodes[id];
    const kind = n?.kind ?? (id === 'admin' ? 'admin' : id.includes(':role/') ? 'role' : id.includes(':user/') ? 'user' : 'other');
    const classes = [kind, entries.has(id) ? 'entry' : '', targets.has(id) || n?.isAdmin ? 'target' : ''].filter(Boolean).join(' ');
    elements.push({ data: { id, label: n?.name ?? (id === 'admin' ? 'admin' : shortArn(id)), kind }, classes });
  }
  for (const [id, s] of steps) {
    elements.push({ data: { id, source: s.from, target: s.to, label: `${s.techniqueName} · ${s.status}`, status: s.status }, classes: s.status });
  }
  return { elements, steps };
}
