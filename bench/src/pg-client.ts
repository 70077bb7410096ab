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
