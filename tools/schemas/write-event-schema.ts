/**
 * Writes docs/schemas/source-event.schema.json from the one definition of the event detail (core/findings/
 * event-schema.ts). Run after changing that definition: `npx tsx tools/schemas/write-event-schema.ts`; a unit
 * test fails while the file and the definition differ.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventDetailJsonSchema } from '../../core/findings/event-schema';

export const SCHEMA_FILE = fileURLToPath(new URL('../../docs/schemas/source-event.schema.json', import.meta.url));

export function schemaFileText(): string {
  return `${JSON.stringify(eventDetailJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, schemaFileText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
