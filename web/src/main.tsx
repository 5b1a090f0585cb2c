import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

// Vite's client types are not in this project's tsconfig: the one flag used here.
declare global {
  interface ImportMeta {
    readonly env: { readonly PROD: boolean };
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// The installable app (web/public/manifest.webmanifest): the service worker caches the app shell so it
// opens offline. Production builds only — in development it would serve stale modules.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  });
}
