// s3rver ships no executable; this runs its CLI (`-d DIR -a ADDRESS -p PORT ...`).
// Run with NODE_OPTIONS=--openssl-legacy-provider (paged listings fail without it) and
// NODE_PATH pointing at the project's .node/node_modules.
require('@20minutes/s3rver/lib/cli.js').parseAsync().catch((e) => {
  console.error(e)
  process.exit(1)
})
