/**
 * The Bolt app. Listeners stay thin: acknowledge, read the click, hand it to the engine, tell the
 * clicker what happened. The same listeners serve Socket Mode and HTTP mode.
 */
import { App, HTTPReceiver, SocketModeReceiver, type BlockAction, type ButtonAction, type CustomRoute } from '@slack/bolt';
import { slackClientOptions } from '../clients.js';
import type { Config } from '../config.js';
import { boltLogger, type Logger } from '../log.js';
import { APPROVERS_ONLY, type Engine } from '../workflows/engine.js';
import type { Chat } from '../workflows/ports.js';
import { ACCEPT_VIEW, ACTIONS, EDIT_BILLING_VIEW, acceptanceRequestText } from './blocks/card.js';
import { FIELDS, acceptModal, editBillingModal } from './blocks/modals.js';
import { buildStatusText } from './blocks/status.js';

export type SlackAppOptions = { config: Config; engine: Engine; chat: Chat; logger: Logger; routes: CustomRoute[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function createSlackApp({ config, engine, chat, logger, routes }: SlackAppOptions): App {
  const slackLogger = boltLogger(logger);
  const clientOptions = slackClientOptions(config);
  const receiver = config.mode === 'socket' && config.slack.appToken
    ? new SocketModeReceiver({ appToken: config.slack.appToken, logger: slackLogger, customRoutes: routes, installerOptions: { port: config.port, clientOptions } })
    : new HTTPReceiver({ signingSecret: config.slack.signingSecret ?? '', logger: slackLogger, customRoutes: routes, endpoints: '/slack/events' });
  const app = new App({ token: config.slack.botToken, receiver, logger: slackLogger, clientOptions, extendedErrorHandler: true });

  const whisper = (userId: string, text: string) => chat.whisper(userId, text);
  const refuse = (userId: string) => whisper(userId, APPROVERS_ONLY);

  app.action<BlockAction<ButtonAction>>(ACTIONS.accept, async ({ ack, body, action, client }) => {
    await ack();
    const milestone = engine.milestone(action.value ?? '');
    if (!engine.isApprover(body.user.id)) return void (await refuse(body.user.id));
    if (milestone && !milestone.acceptanceEvidence) {
      await client.views.open({ trigger_id: body.trigger_id, view: acceptModal(milestone.id, milestone.title) });
      return;
    }
    const result = await engine.accept(action.value ?? '', body.user.id);
    if (!result.ok || result.message) await whisper(body.user.id, result.message ?? '');
  });

  app.view(ACCEPT_VIEW, async ({ ack, view, body }) => {
    const evidence = view.state.values[FIELDS.evidence]?.[FIELDS.evidence]?.value?.trim() ?? '';
    if (!/^https?:\/\/\S+$/.test(evidence)) {
      await ack({ response_action: 'errors', errors: { [FIELDS.evidence]: 'Paste a full http(s) link to the confirmation.' } });
      return;
    }
    await ack();
    const result = await engine.accept(view.private_metadata, body.user.id, evidence);
    if (!result.ok || result.message) await whisper(body.user.id, result.message ?? '');
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.draftAcceptance, async ({ ack, body, action }) => {
    await ack();
    const milestone = engine.milestone(action.value ?? '');
    if (!milestone) return void (await whisper(body.user.id, 'That milestone is no longer in the ledger.'));
    const clientName = engine.client(milestone.clientId)?.name ?? 'there';
    const text = acceptanceRequestText({ title: milestone.title, clientName, evidence: milestone.deliveryEvidence });
    await whisper(body.user.id, `Here is an acceptance request, ready to send to ${clientName}:\n\`\`\`${text}\`\`\``);
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.send, async ({ ack, body, action }) => {
    await ack();
    const result = await engine.send(action.value ?? '', body.user.id);
    if (!result.ok) await whisper(body.user.id, `The invoice was not sent. ${result.message}`);
    else if (result.message) await whisper(body.user.id, result.message);
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.editBilling, async ({ ack, body, action, client }) => {
    await ack();
    if (!engine.isApprover(body.user.id)) return void (await refuse(body.user.id));
    const milestone = engine.milestone(action.value ?? '');
    if (!milestone) return void (await whisper(body.user.id, 'That milestone is no longer in the ledger.'));
    const billingClient = engine.client(milestone.clientId);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: editBillingModal(milestone.id, billingClient?.name ?? 'the client', {
        billingEmail: billingClient?.billingEmail ?? '', poNumber: milestone.poNumber, taxId: billingClient?.taxId ?? '',
      }),
    });
  });

  app.view(EDIT_BILLING_VIEW, async ({ ack, view, body }) => {
    const value = (id: string) => view.state.values[id]?.[id]?.value?.trim() ?? '';
    const input = { billingEmail: value(FIELDS.billingEmail), poNumber: value(FIELDS.poNumber), taxId: value(FIELDS.taxId) };
    if (!EMAIL.test(input.billingEmail)) {
      await ack({ response_action: 'errors', errors: { [FIELDS.billingEmail]: 'Enter an email address such as ap@client.com.' } });
      return;
    }
    await ack();
    const result = await engine.editBillingDetails(view.private_metadata, body.user.id, input);
    if (!result.ok) await whisper(body.user.id, result.message);
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.draftChangeOrder, async ({ ack, body, action }) => {
    await ack();
    const result = await engine.draftChangeOrder(action.value ?? '', body.user.id);
    await whisper(body.user.id, result.message ?? 'Change order drafted in Notion.');
  });

  app.command('/cashin', async ({ ack, command }) => {
    await ack();
    await whisper(command.user_id, buildStatusText(engine.overview(), command.text));
  });

  app.error(async ({ error, body }: { error: Error; body: unknown }) => {
    logger.error({ err: error }, 'slack listener failed');
    const userId = userOf(body);
    if (userId) {
      await whisper(userId, 'Something went wrong while handling that; nothing was sent twice. Try again in a minute, and check the bot logs if it keeps failing.').catch(() => undefined);
    }
  });

  return app;
}

function userOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as { user?: { id?: unknown }; user_id?: unknown };
  if (typeof b.user?.id === 'string') return b.user.id;
  return typeof b.user_id === 'string' ? b.user_id : null;
}
