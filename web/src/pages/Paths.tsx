/** Escalation paths from entry points to admin, drawn with cytoscape; a step shows its evidence. */
import { useEffect, useRef, useState } from 'react';
import cytoscape from 'cytoscape';
import { apiGet, query } from '../api';
import { useLoad, href } from '../hooks';
import type { AttackPath, PathNode, PathStep } from '../types';
import { Badge, ErrorBox, Loading, Section } from '../components/ui';
import { FilterForm, SelectFilter, setParams } from '../components/Filters';
import { when } from '../format';
import { graphElements, stepId } from './paths-graph';

interface PathsPage {
  items: AttackPath[];
  next: string | null;
  nodes?: Record<string, PathNode>;
}

async function loadPaths(url: string): Promise<{ paths: AttackPath[]; nodes: Record<string, PathNode> }> {
  const paths: AttackPath[] = [];
  const nodes: Record<string, PathNode> = {};
  let cursor: string | null = null;
  do {
    const page: PathsPage = await apiGet<PathsPage>(`${url}${url.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    paths.push(...page.items);
    Object.assign(nodes, page.nodes ?? {});
    cursor = page.next;
  } while (cursor && paths.length < 2000);
  return { paths, nodes };
}

const STYLE: cytoscape.StylesheetJson = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, 'background-color': '#5b6b82', color: '#1d2633', width: 22, height: 22, 'text-wrap': 'ellipsis', 'text-max-width': '140px' } },
  { selector: 'node.role', style: { shape: 'round-rectangle', 'background-color': '#3d7bd9' } },
  { selector: 'node.user', style: { 'background-color': '#2f9e74' } },
  { selector: 'node.entry', style: { 'border-width': 3, 'border-color': '#1d2633' } },
  { selector: 'node.target', style: { 'background-color': '#c0392b', shape: 'star', width: 30, height: 30 } },
  { selector: 'edge', style: { label: 'data(label)', 'font-size': 9, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', width: 2, 'line-color': '#8a97a8', 'target-arrow-color': '#8a97a8', 'text-rotation': 'autorotate', 'text-background-color': '#ffffff', 'text-background-opacity': 0.85, 'text-background-padding': '2px' } },
  { selector: 'edge.attempted', style: { 'line-color': '#d68910', 'target-arrow-color': '#d68910', 'line-style': 'dashed' } },
  { selector: 'edge.exercised', style: { 'line-color': '#c0392b', 'target-arrow-color': '#c0392b', width: 3 } },
  { selector: ':selected', style: { 'overlay-color': '#3d7bd9', 'overlay-opacity': 0.25 } },
];

export function PathsPage({ params }: { params: URLSearchParams }) {
  const filters = { principal: params.get('principal') ?? '', account: params.get('account') ?? '', status: params.get('status') ?? '' };
  const url = `/api/paths${query(filters)}`;
  const data = useLoad(() => loadPaths(url), url);
  const [selected, setSelected] = useState<string>();
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<cytoscape.Core>(undefined);
  const graph = data.data ? graphElements(data.data.paths, data.data.nodes) : undefined;
  const elementsKey = graph ? JSON.stringify(graph.elements.map((e) => e.data.id)) : '';

  useEffect(() => {
    if (!graph || !container.current) return;
    const entries = graph.elements.filter((e) => !e.data.source && String(e.classes).includes('entry')).map((e) => `#${CSS.escape(String(e.data.id))}`);
    const cy = cytoscape({
      container: container.current,
      elements: graph.elements,
      style: STYLE,
      layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.1, ...(entries.length ? { roots: entries.join(',') } : {}) },
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 3,
    });
    cy.on('tap', 'edge', (e) => setSelected(String(e.target.id())));
    cyRef.current = cy;
    container.current.dataset.nodes = String(cy.nodes().length);
    container.current.dataset.edges = String(cy.edges().length);
    return () => {
      cyRef.current = undefined;
      cy.destroy();
    };
    // the graph is rebuilt only when its elements change
  }, [elementsKey]);

  // A step chosen in the list below is selected in the graph too.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || !selected) return;
    cy.elements().unselect();
    cy.getElementById(selected).select();
  }, [selected, elementsKey]);

  const set = (v: Partial<typeof filters>) => setParams('paths', { ...filters, ...v });
  const step = selected ? graph?.steps.get(selected) : undefined;
  return (
    <>
      <h1>Attack paths</h1>
      <FilterForm fields={[{ name: 'principal', label: 'From principal', placeholder: 'arn:aws:iam::…' }, { name: 'account', label: 'Account', placeholder: '12 digits' }]} values={filters} onApply={(v) => set({ principal: v.principal ?? '', account: v.account ?? '' })}>
        <SelectFilter label="Status" name="status" value={filters.status} onChange={(v) => set({ status: v })} options={['', 'possible', 'attempted', 'exercised'].map((s) => ({ value: s, label: s || 'any' }))} />
      </FilterForm>
      {data.error ? <ErrorBox error={data.error} what="attack paths" /> : null}
      {data.loading && !data.data ? <Loading what="attack paths" /> : null}
      {data.data ? (
        <p className="muted" aria-live="polite">
          {data.data.paths.length} path(s) to admin from {new Set(data.data.paths.map((p) => p.from)).size} entry point(s). Click a step (an arrow) to see its evidence.
        </p>
      ) : null}
      <div className="legend" aria-hidden="true">
        <span className="lg lg-entry">entry point</span> <span className="lg lg-target">admin</span> <span className="lg lg-possible">possible</span> <span className="lg lg-attempted">attempted</span> <span className="lg lg-exercised">exercised</span>
      </div>
      <div ref={container} className="graph" data-testid="paths-graph" aria-label="Attack path graph; the steps are listed below as buttons" role="img" />
      {step ? <StepDetail step={step} /> : null}
      {data.data ? (
        <Section title="Paths">
          <ol className="paths">
            {data.data.paths.map((p, n) => (
              <li key={n}>
                <Badge kind={p.status}>{p.status}</Badge> <a href={href('identities', p.from)} className="break">{p.from}</a> → <span className="break">{p.to}</span>
                {p.crossAccount ? <Badge kind="info">cross-account</Badge> : null}
                <ol className="steps">
                  {p.steps.map((s, k) => (
                    <li key={k}>
                      <button type="button" className="linklike" aria-pressed={selected === stepId(s)} onClick={() => setSelected(stepId(s))}>
                        {s.techniqueName}
                      </button>{' '}
                      <span className="muted">({s.technique})</span> <Badge kind={s.status}>{s.status}</Badge> → <span className="break">{s.to}</span>
                    </li>
                  ))}
                </ol>
              </li>
            ))}
          </ol>
        </Section>
      ) : null}
    </>
  );
}

function StepDetail({ step }: { step: PathStep }) {
  const ids = [...step.succeededEventIds.map((id) => ({ id, ok: true })), ...step.failedEventIds.map((id) => ({ id, ok: false }))];
  return (
    <Section title={`Step: ${step.techniqueName}`}>
      <div className="step-detail" aria-live="polite">
        <p>
          <span className="break">{step.from}</span> → <span className="break">{step.to}</span> <Badge kind={step.status}>{step.status}</Badge>
        </p>
        <p>
          Technique {step.technique}; actions {step.actions.join(', ') || '—'}
          {step.via ? `; via ${step.via}` : ''}
        </p>
        {step.conditions?.length ? <p>Only if: {step.conditions.join('; ')}</p> : null}
        {step.followOn ? <p>Exercised because: {step.followOn}</p> : null}
        <p className="muted">
          First seen {when(step.firstSeen)}, last seen {when(step.lastSeen)}
        </p>
        <h3>Evidence events ({ids.length})</h3>
        {ids.length === 0 ? <p className="muted">None: the step is possible, never tried in the window.</p> : null}
        <ul className="evidence">
          {ids.slice(0, 100).map((e) => (
            <li key={e.id}>
              <a href={href('events', e.id)}>{e.id}</a> {e.ok ? 'succeeded' : 'denied'}
            </li>
          ))}
        </ul>
      </div>
    </Section>
  );
}
