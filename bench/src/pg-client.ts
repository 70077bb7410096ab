import pg from 'pg';

/**
 * Runs `fn` with one PostgreSQL connection to `url`, closed afterwards (the bench's datasets are
 * written and checked this way, outside the packages' pools).
 *
 * @example
 * const rows = await withClient(url, (client) => client.query('select 1'));
 */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The one row of a dataset's marker table (`"schema"."table"`), or `null` when the table is
 * missing or does not hold exactly one row: a kept dataset writes its marker last.
 *
 * @example
 * const marker = await readMarker<{ version: string }>(client, '"bench"."marker"');
 */
export async function readMarker<T extends object>(
  client: pg.Client,
  table: string,
): Promise<T | null> {
  const { rows: found } = await client.query<{ t: string | null }>(
    'select to_regclass($1)::text as t',
    [table],
  );
  if (found[0]?.t == null) return null;
  const { rows } = await client.query<T>(`select * from ${table}`);
  return rows.length === 1 ? (rows[0] as T) : null;
}
