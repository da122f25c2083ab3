#!/usr/bin/env node
// Committed launcher so that npm links the bin on a fresh `npm ci`, before the build exists.
import('../dist/bin.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/bin.js')) {
    process.stderr.write('netpolc is not built yet: run `npm run build` first\n');
    process.exit(3);
  }
  throw err;
});
