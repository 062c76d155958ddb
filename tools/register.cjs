// Runs TypeScript sources directly (swc, with tsconfig paths and decorator metadata).
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
