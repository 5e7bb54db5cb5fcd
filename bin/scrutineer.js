#!/usr/bin/env node
// The TypeScript sources run as they are, through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
