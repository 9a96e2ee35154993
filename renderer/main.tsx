// The console's entry point (see console/app.tsx).
import { createRoot } from 'react-dom/client';
import { App } from './console/app';
import './console/console.css';

const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
