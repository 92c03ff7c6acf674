/**
 * Creates the Clients, Milestones and Forecasts databases under a page the founder shared with
 * the integration, exactly as the ledger contract (contract.ts, docs/ledger.md) lists them.
 */
import { isFullDatabase, type Client as NotionClient, type CreateDatabaseParameters } from '@notionhq/client';
import { CLIENT_PROPERTIES, FORECAST_PROPERTIES, MILESTONE_PROPERTIES, type PropertyType } from './contract.js';

type Spec = { readonly types: readonly PropertyType[]; readonly options?: readonly string[] };
type PropertyConfigs = NonNullable<NonNullable<CreateDatabaseParameters['initial_data_source']>['properties']>;
type PropertyConfig = PropertyConfigs[string];

export type CreatedLedger = { clientsDb: string; milestonesDb: string; forecastsDb: string };

function propertyConfig(spec: Spec, relationTo: string | null): PropertyConfig {
  const type = spec.types[0] ?? 'rich_text';
  switch (type) {
    case 'select':
      return { select: { options: (spec.options ?? []).map((name) => ({ name })) } };
    case 'relation':
      if (!relationTo) throw new Error('a relation needs its target data source');
      return { relation: { data_source_id: relationTo, single_property: {} } };
    case 'number':
      return { number: { format: 'number' } };
    case 'title':
      return { title: {} };
    case 'rich_text':
      return { rich_text: {} };
    case 'date':
      return { date: {} };
    case 'url':
      return { url: {} };
    case 'email':
      return { email: {} };
    case 'checkbox':
      return { checkbox: {} };
    case 'status':
      return { status: {} };
  }
}

function properties(specs: Readonly<Record<string, Spec>>, relationTo: string | null): PropertyConfigs {
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, propertyConfig(spec, relationTo)]));
}

export async function createLedger(notion: NotionClient, parentPageId: string): Promise<CreatedLedger> {
  const create = async (title: string, props: PropertyConfigs) => {
    const db = await notion.databases.create({
      parent: { type: 'page_id', page_id: parentPageId },
      title: [{ type: 'text', text: { content: title } }],
      initial_data_source: { properties: props },
    });
    const dataSource = isFullDatabase(db) ? db.data_sources[0]?.id : undefined;
    if (!dataSource) throw new Error(`Notion created the ${title} database without a data source`);
    return { databaseId: db.id, dataSourceId: dataSource };
  };
  const clients = await create('Clients', properties(CLIENT_PROPERTIES, null));
  const milestones = await create('Milestones', properties(MILESTONE_PROPERTIES, clients.dataSourceId));
  const forecasts = await create('Forecasts', properties(FORECAST_PROPERTIES, null));
  return { clientsDb: clients.databaseId, milestonesDb: milestones.databaseId, forecastsDb: forecasts.databaseId };
}

export function envLines(ledger: CreatedLedger): string {
  const plain = (id: string) => id.replace(/-/g, '');
  return [
    `NOTION_CLIENTS_DB=${plain(ledger.clientsDb)}`,
    `NOTION_MILESTONES_DB=${plain(ledger.milestonesDb)}`,
    `NOTION_FORECASTS_DB=${plain(ledger.forecastsDb)}`,
  ].join('\n');
}
