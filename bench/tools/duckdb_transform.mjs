// The DuckDB baseline of bench/transform.sh: runs duckdb_transform.sql (beside this file) in an
// in-memory DuckDB with `SET threads=2`, over a file:// landing zone, writing one SNAPPY Parquet
// file per warehouse table into OUT_DIR. Prints one JSON object: seconds (wall, inside Node,
// from the first statement to the last) and rows per table.
// Usage: NODE_PATH=<repo>/.node/node_modules node bench/tools/duckdb_transform.mjs LANDING_DIR OUT_DIR
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const [landing, out] = process.argv.slice(2)
if (!landing || !out) {
  process.stderr.write('usage: duckdb_transform.mjs LANDING_DIR OUT_DIR\n')
  process.exit(2)
}

// ES module imports ignore NODE_PATH, so the package is looked up there by hand.
async function importDuckdb() {
  const dirs = (process.env.NODE_PATH || join(here, '../../.node/node_modules')).split(':').filter(Boolean)
  for (const dir of dirs) {
    const pkg = join(dir, '@duckdb/node-api')
    if (existsSync(join(pkg, 'package.json'))) {
      const main = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).main || 'index.js'
      return import(pathToFileURL(join(pkg, main)).href)
    }
  }
  throw new Error(`@duckdb/node-api not found in ${dirs.join(':')}`)
}

const duckdb = await importDuckdb()
const sql = readFileSync(join(here, 'duckdb_transform.sql'), 'utf8')
  .replaceAll('${LANDING}', landing.replaceAll("'", "''"))
  .replaceAll('${OUT}', out.replaceAll("'", "''"))
const statements = sql.split(/;\s*$/m).map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter(Boolean)

const instance = await duckdb.DuckDBInstance.create(':memory:')
const connection = await instance.connect()
await connection.run('SET threads = 2')
const started = process.hrtime.bigint()
const rows = {}
for (const statement of statements) {
  const reader = await connection.runAndReadAll(statement)
  const table = statement.match(/TO '[^']*\/([a-z_]+)\.parquet'/)
  if (table) rows[table[1]] = Number(reader.getRows()[0][0])
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9
connection.closeSync()
process.stdout.write(JSON.stringify({ seconds, rows }) + '\n')
