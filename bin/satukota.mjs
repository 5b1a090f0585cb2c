#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a checkout needs no build step for the server.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
