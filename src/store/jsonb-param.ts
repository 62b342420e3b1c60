/**
 * @module store/jsonb-param
 * A jsonb parameter in PostgreSQL's binary format: the version byte 1, then the JSON text as UTF-8.
 * Both drivers send a byte buffer as a binary parameter (node-postgres a Buffer; PGlite any typed
 * array, once its jsonb serializer lets it through: store/pglite-worker), and the server parses the
 * text exactly as it parses a text parameter, with the same errors. Why: PGlite measures a text
 * parameter's UTF-8 length in a JavaScript loop over its characters, which took 16 ms of a 600 KB
 * spend batch (about a fifth of the batch); here the text is measured and encoded once, natively.
 */

const JSONB_BINARY_VERSION = 1;

export function jsonbParam(json: string): Buffer {
  // Its own ArrayBuffer, exactly sized: posting the parameter to the database thread copies the
  // whole backing store, which must not be Node's shared pool.
  const buf = Buffer.allocUnsafeSlow(1 + Buffer.byteLength(json, 'utf8'));
  buf[0] = JSONB_BINARY_VERSION;
  buf.write(json, 1, 'utf8');
  return buf;
}
