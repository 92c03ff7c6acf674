/**
 * The Bolt app. Listeners stay thin: acknowledge, read the click, hand it to a workflow, tell the
 * clicker what happened. The same listeners serve Socket Mode and HTTP mode.
 */
import { App, HTTPReceiver, SocketModeReceiver, type BlockAction, type ButtonAction, type CustomRoute, type webApi } from '@slack/bolt';
import type { Config } from '../config.js';
import { boltLogger, type Logger } from '../log.js';
import { APPROVERS_ONLY, type ClickResult, type FounderActions } from '../workflows/founder-actions.js';
import type { Chat } from '../workflows/ports.js';
import type { Queries } from '../workflows/store.js';
import { ACCEPT_VIEW, ACTIONS, EDIT_BILLING_VIEW, parseSendValue } from './blocks/card.js';
import { FIELDS, acceptModal, billingDetailsErrors, editBillingModal } from './blocks/modals.js';
import { buildStatusText } from './blocks/status.js';

export type SlackAppOptions = {
  config: Config;
  actions: FounderActions;
  queries: Queries;
  chat: Chat;
  logger: Logger;
  routes: CustomRoute[];
  clientOptions: webApi.WebClientOptions;
};

export function createSlackApp({ config, actions, queries, chat, logger, routes, clientOptions }: SlackAppOptions): App {
  const slackLogger = boltLogger(logger);
  const receiver =
    config.mode === 'socket' && config.slack.appToken
      ? new SocketModeReceiver({
          appToken: config.slack.appToken,
          logger: slackLogger,
          customRoutes: routes,
          installerOptions: { port: config.port, clientOptions },
        })
      : new HTTPReceiver({ signingSecret: config.slack.signingSecret ?? '', logger: slackLogger, customRoutes: routes, endpoints: '/slack/events' });
  const app = new App({ token: config.slack.botToken, receiver, logger: slackLogger, clientOptions, extendedErrorHandler: true });

  const whisper = (userId: string, text: string, draft?: string) => chat.whisper(userId, text, draft);
  const tell = async (userId: string, result: ClickResult) => {
    if (!result.ok || result.message) await whisper(userId, result.message ?? '', result.ok ? result.draft : undefined);
  };

  app.action<BlockAction<ButtonAction>>(ACTIONS.accept, async ({ ack, body, action, client }) => {
    await ack();
    if (!actions.isApprover(body.user.id)) return void (await whisper(body.user.id, APPROVERS_ONLY));
    const milestone = queries.milestone(action.value ?? '');
    if (milestone && !milestone.acceptanceEvidence) {
      await client.views.open({ trigger_id: body.trigger_id, view: acceptModal(milestone.id, milestone.title) });
      return;
    }
    await tell(body.user.id, await actions.accept(action.value ?? '', body.user.id));
  });

  app.view(ACCEPT_VIEW, async ({ ack, view, body }) => {
    const evidence = view.state.values[FIELDS.evidence]?.[FIELDS.evidence]?.value?.trim() ?? '';
    if (!/^https?:\/\/\S+$/.test(evidence)) {
      await ack({ response_action: 'errors', errors: { [FIELDS.evidence]: 'Paste a full http(s) link to the confirmation.' } });
      return;
    }
    await ack();
    await tell(body.user.id, await actions.accept(view.private_metadata, body.user.id, evidence));
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.draftAcceptance, async ({ ack, body, action }) => {
    await ack();
    await tell(body.user.id, actions.acceptanceRequest(action.value ?? '', body.user.id));
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.send, async ({ ack, body, action }) => {
    await ack();
    const { milestoneId, fingerprint } = parseSendValue(action.value ?? '');
    await tell(body.user.id, await actions.send(milestoneId, body.user.id, fingerprint));
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.editBilling, async ({ ack, body, action, client }) => {
    await ack();
    if (!actions.isApprover(body.user.id)) return void (await whisper(body.user.id, APPROVERS_ONLY));
    const milestone = queries.milestone(action.value ?? '');
    if (!milestone) return void (await whisper(body.user.id, 'That milestone is no longer in the ledger.'));
    const billingClient = queries.client(milestone.clientId);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: editBillingModal(
        milestone.id,
        billingClient?.name ?? 'the client',
        { billingEmail: billingClient?.billingEmail ?? '', poNumber: milestone.poNumber, taxId: billingClient?.taxId ?? '' },
        { poRequired: billingClient?.poRequired ?? false },
      ),
    });
  });

  app.view(EDIT_BILLING_VIEW, async ({ ack, view, body }) => {
    const value = (id: string) => view.state.values[id]?.[id]?.value?.trim() ?? '';
    const input = { billingEmail: value(FIELDS.billingEmail), poNumber: value(FIELDS.poNumber), taxId: value(FIELDS.taxId) };
    const billingClient = queries.client(queries.milestone(view.private_metadata)?.clientId ?? null);
    const errors = billingDetailsErrors(input, { poRequired: billingClient?.poRequired ?? false });
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    await tell(body.user.id, await actions.editBillingDetails(view.private_metadata, body.user.id, input));
  });

  app.action<BlockAction<ButtonAction>>(ACTIONS.draftChangeOrder, async ({ ack, body, action }) => {
    await ack();
    const result = await actions.draftChangeOrder(action.value ?? '', body.user.id);
    await whisper(body.user.id, result.message ?? 'Change order drafted in Notion.');
  });

  // The answer goes through the command's response_url: private, in the channel where it was typed.
  app.command('/cashin', async ({ ack, command, respond }) => {
    await ack();
    const text = actions.isApprover(command.user_id) ? buildStatusText(queries.overview(), command.text) : APPROVERS_ONLY;
    await respond({ response_type: 'ephemeral', text });
  });

  app.error(async ({ error, body }: { error: Error; body: unknown }) => {
    logger.error({ err: error }, 'slack listener failed');
    const userId = userOf(body);
    if (userId) {
      await whisper(
        userId,
        'Something went wrong while handling that; nothing was sent twice. Try again in a minute, and check the bot logs if it keeps failing.',
      ).catch(() => undefined);
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
