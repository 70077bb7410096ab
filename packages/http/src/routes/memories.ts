import type { MemoryBook } from '@candor/memory';
import { json } from '../respond';
import type { Route } from '../route';

/**
 * `GET /memories` (what is remembered about the customer, with where each came from) and
 * `DELETE /memories/{memoryId}` (erase one at their request; only a tombstone stays).
 *
 * @example
 * const routes = memoryRoutes({ memory: book });
 */
export function memoryRoutes(ports: { readonly memory: MemoryBook }): Route[] {
  const { memory } = ports;
  return [
    {
      method: 'GET',
      path: '/memories',
      operationId: 'listMemories',
      summary: 'What is remembered about the customer, and where it came from',
      responses: { 200: { description: 'Active, superseded and erased memories' } },
      async handle({ subject }) {
        return json(200, await memory.list(subject));
      },
    },
    {
      method: 'DELETE',
      path: '/memories/{memoryId}',
      operationId: 'eraseMemory',
      summary: 'Erase one memory at the customer’s request',
      responses: { 200: { description: 'Erased: the tombstones left' } },
      async handle({ subject, params }) {
        const erased = await memory.erase(subject, params.memoryId as string, 'customer_request');
        return json(200, { erased });
      },
    },
  ];
}
