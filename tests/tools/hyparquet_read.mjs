// Reads a Parquet file with hyparquet (an independent, pure-JS reader) and prints
//   {"rows": [...], "num_rows": N, "row_groups": [rows...], "created_by": "...",
//    "schema": [{name, type, repetition_type, converted_type, logical_type, precision, scale}...]}
// Values are hyparquet's own conversions, made exact and JSON-safe by its `parsers` hook:
//   INT64 / TIME micros (BigInt) → decimal string; DATE → "YYYY-MM-DD";
//   TIMESTAMP → "YYYY-MM-DDTHH:MM:SS.fff" (millis) or ".ffffff" (micros); DECIMAL → JS number
//   (hyparquet's float conversion); strings as decoded UTF-8; null as null.
// Which parser hyparquet calls depends on the file's logical/converted types, so a wrong type
// shows up as a wrong value form. Usage: node hyparquet_read.mjs FILE
import { fail, importPackage } from './node_modules_path.mjs'

const file = process.argv[2]
if (!file) fail('usage: hyparquet_read.mjs FILE')

let hyparquet, compressors
try {
  hyparquet = await importPackage('hyparquet', 'src/node.js')
  compressors = (await importPackage('hyparquet-compressors')).compressors
} catch (e) {
  fail(`hyparquet_read: cannot load hyparquet / hyparquet-compressors: ${e.message}`)
}

const pad = (n, w) => String(n).padStart(w, '0')
// Exact calendar text for a signed count of `unitsPerSecond` since 1970-01-01T00:00:00.
function timestampText(value, unitsPerSecond, digits) {
  const units = BigInt(value)
  const per = BigInt(unitsPerSecond)
  let seconds = units / per
  let fraction = units % per
  if (fraction < 0n) { fraction += per; seconds -= 1n }
  const days = seconds >= 0n ? seconds / 86400n : (seconds - 86399n) / 86400n
  const secondOfDay = Number(seconds - days * 86400n)
  const date = dateText(Number(days))
  const hh = Math.floor(secondOfDay / 3600), mm = Math.floor(secondOfDay / 60) % 60, ss = secondOfDay % 60
  return `${date}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(fraction, digits)}`
}
// Proleptic Gregorian civil date of a day number (Howard Hinnant's algorithm): exact for any
// day count, where JS Date stops at +-100 million days.
function dateText(days) {
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (m <= 2 ? 1 : 0)
  const y = year < 0 ? '-' + pad(-year, 4) : pad(year, 4)
  return `${y}-${pad(m, 2)}-${pad(d, 2)}`
}

const decoder = new TextDecoder('utf-8', { fatal: true })
const parsers = {
  timestampFromMilliseconds: v => timestampText(v, 1000, 3),
  timestampFromMicroseconds: v => timestampText(v, 1000000, 6),
  timestampFromNanoseconds: v => timestampText(v, 1000000000, 9),
  dateFromDays: v => dateText(Number(v)),
  stringFromBytes: b => b && decoder.decode(b),
  jsonFromBytes: b => b && JSON.parse(decoder.decode(b)),
  geometryFromBytes: () => { throw new Error('unexpected GEOMETRY column') },
  geographyFromBytes: () => { throw new Error('unexpected GEOGRAPHY column') },
  uuidFromBytes: () => { throw new Error('unexpected UUID column') },
}

function jsonSafe(_key, value) {
  if (typeof value === 'bigint') return value.toString()
  if (value === undefined) return null
  if (value instanceof Uint8Array) return Array.from(value)
  return value
}

try {
  const buffer = await hyparquet.asyncBufferFromFile(file)
  const metadata = await hyparquet.parquetMetadataAsync(buffer, { parsers })
  const rows = await hyparquet.parquetReadObjects({ file: buffer, metadata, compressors, parsers, rowFormat: 'object' })
  const schema = metadata.schema.slice(1).map(e => ({
    name: e.name,
    type: e.type ?? null,
    repetition_type: e.repetition_type ?? null,
    converted_type: e.converted_type ?? null,
    logical_type: e.logical_type ?? null,
    precision: e.precision ?? null,
    scale: e.scale ?? null,
  }))
  const out = {
    num_rows: metadata.num_rows,
    created_by: metadata.created_by ?? null,
    row_groups: metadata.row_groups.map(g => g.num_rows),
    schema,
    rows,
  }
  process.stdout.write(JSON.stringify(out, jsonSafe))
} catch (e) {
  fail(`hyparquet_read ${file}: ${e.stack || e.message}`)
}
