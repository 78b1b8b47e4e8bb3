// Runs one SQL text in an in-memory DuckDB and prints the last statement's rows as a JSON array
// of objects, values in DuckDB's JSON form (getRowObjectsJson: BIGINT/DECIMAL/dates as strings).
// Usage: NODE_PATH=<source>/.node/node_modules node duckdb_query.mjs < query.sql
// Tests use it as the independent reader of our Parquet files.
import { fail, importPackage, readStdin } from './node_modules_path.mjs'

const sql = process.argv[2] ?? readStdin()
let duckdb
try {
  duckdb = await importPackage('@duckdb/node-api')
} catch (e) {
  fail(`duckdb_query: cannot load @duckdb/node-api: ${e.message}`)
}
try {
  // One thread: the machine is shared and the queries are small.
  const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: '1' })
  const connection = await instance.connect()
  const reader = await connection.runAndReadAll(sql)
  process.stdout.write(JSON.stringify(reader.getRowObjectsJson()))
  connection.closeSync()
} catch (e) {
  fail(`duckdb_query: ${e.message}`)
}
