/** The console shell: navigation, the token prompt, and the page for the current hash route. */
import { useEffect, useState, type ReactNode } from 'react';
import { isTokenWanted, onTokenChange } from './api';
import { href, useRoute } from './hooks';
import { TokenPrompt } from './components/TokenPrompt';
import { ConnectorsPage } from './pages/Connectors';
import { IngestionPage } from './pages/Ingestion';
import { IdentitiesPage } from './pages/Identities';
import { IdentityPage } from './pages/Identity';
import { RecommendationsPage } from './pages/Recommendations';
import { PathsPage } from './pages/Paths';
import { EventsPage } from './pages/Events';

const PAGES: { id: string; label: string }[] = [
  { id: 'recommendations', label: 'Recommendations' },
  { id: 'identities', label: 'Identities' },
  { id: 'paths', label: 'Attack paths' },
  { id: 'events', label: 'Events' },
  { id: 'ingestion', label: 'Ingestion health' },
  { id: 'connectors', label: 'Connectors' },
];

function page(parts: string[], params: URLSearchParams): ReactNode {
  const [first, second] = parts;
  switch (first) {
    case 'connectors':
      return <ConnectorsPage selected={second} />;
    case 'ingestion':
      return <IngestionPage />;
    case 'identities':
      return second ? <IdentityPage arn={second} /> : <IdentitiesPage params={params} />;
    case 'paths':
      return <PathsPage params={params} />;
    case 'events':
      return <EventsPage params={params} selected={second} />;
    case 'recommendations':
    default:
      return <RecommendationsPage params={params} />;
  }
}

export function App() {
  const { parts, params } = useRoute();
  const [wanted, setWanted] = useState(isTokenWanted());
  useEffect(() => onTokenChange(() => setWanted(isTokenWanted())), []);
  const current = parts[0] ?? 'recommendations';
  useEffect(() => {
    document.title = `${PAGES.find((p) => p.id === current)?.label ?? 'trailscope'} · trailscope`;
  }, [current]);
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="top">
        <span className="brand">trailscope</span>
        <nav aria-label="Console">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}>
                <a href={href(p.id)} aria-current={current === p.id ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {wanted ? <TokenPrompt /> : null}
        {page(parts, params)}
      </main>
    </>
  );
}
