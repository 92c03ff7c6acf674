/**
 * The Bolt app. Listeners stay thin: acknowledge, read the click, hand it to a workflow, tell the
 * clicker what happened. The same listeners serve Socket Mode and HTTP mode.
 */
import { App, HTTPReceiver, SocketModeReceiver, type BlockAction, type ButtonAction, type CustomRoute, type webApi } from '@slack/bolt';
import type { Config } from '../config.js';
import { boltLogger, type Logger } from '../log.js';
import { localDate } from '../domain/time.js';
import { MAX_SNOOZE_DAYS, type CollectionActions, type PaidOutside } from '../workflows/collection-actions.js';
import { APPROVERS_ONLY, type ClickResult, type FounderActions } from '../workflows/founder-actions.js';
import type { Chat, Clock } from '../workflows/ports.js';
import type { CashDesk } from '../workflows/cash-desk.js';
import type { Queries } from '../workflows/store.js';
import { parseCashQuestion, questionText } from '../domain/cash-report.js';
import { SHARE_ACTION, drawPrivateAnswer, drawShared } from './blocks/cash.js';
import { ACCEPT_VIEW, ACTIONS, EDIT_BILLING_VIEW, VIEWS, parseCollectionValue, parseSendValue } from './blocks/card.js';
import { COLLECTION_FIELDS, disputeModal, paidOutsideModal, promiseModal, reissueModal, snoozeModal } from './blocks/collection-modals.js';
import { FIELDS, acceptModal, billingDetailsErrors, editBillingModal } from './blocks/modals.js';

const STILL_READING = 'Cashin is still reading your Notion ledger after starting; ask again in a minute for the whole picture.';

export type SlackAppOptions = {
  config: Config;
  actions: FounderActions;
  collections: CollectionActions;
  queries: Queries;
  /** Answers /cashin and draws App Home. */
  cash: Pick<CashDesk, 'answer' | 'dashboard'>;
  clock: Clock;
  /** Whether the first read of the ledger is done; until then /cashin would show part of it. */
  synced: () => boolean;
  chat: Chat;
  logger: Logger;
  routes: CustomRoute[];
  clientOptions: webApi.WebClientOptions;
};

export function createSlackApp({ config, actions, collections, queries, cash, clock, synced, chat, logger, routes, clientOptions }: SlackAppOptions): App {
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

  registerCollection(app, { actions, collections, queries, clock, config, tell, whisper });

  // Acked at once (Slack allows 3 s); the answer follows through the command's response_url:
  // private, in the channel where it was typed, with a button that shares it there.
  app.command('/cashin', async ({ ack, command, respond }) => {
    await ack();
    if (!actions.isApprover(command.user_id)) return void (await respond({ response_type: 'ephemeral', text: APPROVERS_ONLY }));
    if (!synced()) return void (await respond({ response_type: 'ephemeral', text: STILL_READING }));
    const question = parseCashQuestion(command.text);
    await respond({ response_type: 'ephemeral', ...drawPrivateAnswer(await cash.answer(question), questionText(question)) });
  });

  // Share in channel: the same question answered again now, for everyone in the channel.
  app.action<BlockAction<ButtonAction>>(SHARE_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    if (!actions.isApprover(body.user.id)) return void (await whisper(body.user.id, APPROVERS_ONLY));
    if (!synced()) return void (await respond({ response_type: 'ephemeral', replace_original: false, text: STILL_READING }));
    const drawn = drawShared(await cash.answer(parseCashQuestion(action.value ?? '')), body.user.id);
    await respond({ response_type: 'in_channel', replace_original: false, ...drawn });
  });

  // App Home: the dashboard, drawn again each time the founder opens the tab.
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    if (!actions.isApprover(event.user)) {
      await chat.publishHome(event.user, { ready: false, reason: APPROVERS_ONLY });
      return;
    }
    if (!synced()) return void (await chat.publishHome(event.user, { ready: false, reason: STILL_READING }));
    const { forecast, kpis, exceptions } = await cash.dashboard();
    await chat.publishHome(event.user, { ready: true, forecast, kpis, exceptions });
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

type CollectionContext = {
  actions: FounderActions;
  collections: CollectionActions;
  queries: Queries;
  clock: Clock;
  config: Config;
  tell: (userId: string, result: ClickResult) => Promise<void>;
  whisper: (userId: string, text: string) => Promise<void>;
};

/** The buttons under an unpaid invoice and their modals; every answer names the invoice it was opened for. */
function registerCollection(app: App, { actions, collections, queries, clock, config, tell, whisper }: CollectionContext): void {
  const invoiceLabel = (milestoneId: string) => {
    const m = queries.milestone(milestoneId);
    return m?.invoice.number ?? m?.invoice.id ?? 'this invoice';
  };
  const opener = (actionId: string, view: (value: string, label: string) => ReturnType<typeof snoozeModal>) =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      if (!actions.isApprover(body.user.id)) return void (await whisper(body.user.id, APPROVERS_ONLY));
      const value = action.value ?? '';
      await client.views.open({ trigger_id: body.trigger_id, view: view(value, invoiceLabel(parseCollectionValue(value).milestoneId)) });
    });
  opener(ACTIONS.snooze, (value, label) => snoozeModal(value, label, MAX_SNOOZE_DAYS));
  opener(ACTIONS.promise, (value, label) => promiseModal(value, label, localDate(clock.now(), config.timeZone)));
  opener(ACTIONS.dispute, disputeModal);
  opener(ACTIONS.paidOutside, paidOutsideModal);
  opener(ACTIONS.reissue, (value, label) => reissueModal(value, label, collections.reissuePreview(parseCollectionValue(value).milestoneId)));

  app.action<BlockAction<ButtonAction>>(ACTIONS.finalNotice, async ({ ack, body, action }) => {
    await ack();
    const { milestoneId, invoiceId } = parseCollectionValue(action.value ?? '');
    await tell(body.user.id, await collections.finalNotice(milestoneId, invoiceId, body.user.id));
  });
  app.action<BlockAction<ButtonAction>>(ACTIONS.resume, async ({ ack, body, action }) => {
    await ack();
    const { milestoneId, invoiceId } = parseCollectionValue(action.value ?? '');
    await tell(body.user.id, await collections.resume(milestoneId, invoiceId, body.user.id));
  });

  app.view(VIEWS.snooze, async ({ ack, view, body }) => {
    const raw = view.state.values[COLLECTION_FIELDS.days]?.[COLLECTION_FIELDS.days]?.value ?? '';
    const days = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || days < 1 || days > MAX_SNOOZE_DAYS) {
      return void (await ack({ response_action: 'errors', errors: { [COLLECTION_FIELDS.days]: `A whole number of days from 1 to ${MAX_SNOOZE_DAYS}.` } }));
    }
    await ack();
    const { milestoneId, invoiceId } = parseCollectionValue(view.private_metadata);
    await tell(body.user.id, await collections.snooze(milestoneId, invoiceId, days, body.user.id));
  });
  app.view(VIEWS.promise, async ({ ack, view, body }) => {
    const date = view.state.values[COLLECTION_FIELDS.date]?.[COLLECTION_FIELDS.date]?.selected_date ?? '';
    const today = localDate(clock.now(), config.timeZone);
    if (!date || date < today)
      return void (await ack({ response_action: 'errors', errors: { [COLLECTION_FIELDS.date]: `Pick today (${today}) or a later date.` } }));
    await ack();
    const { milestoneId, invoiceId } = parseCollectionValue(view.private_metadata);
    await tell(body.user.id, await collections.promise(milestoneId, invoiceId, date, body.user.id));
  });
  app.view(VIEWS.dispute, async ({ ack, view, body }) => {
    const reason = view.state.values[COLLECTION_FIELDS.reason]?.[COLLECTION_FIELDS.reason]?.selected_option?.value ?? '';
    const note = view.state.values[COLLECTION_FIELDS.note]?.[COLLECTION_FIELDS.note]?.value ?? '';
    if (!reason) return void (await ack({ response_action: 'errors', errors: { [COLLECTION_FIELDS.reason]: 'Pick a reason.' } }));
    await ack();
    const { milestoneId, invoiceId } = parseCollectionValue(view.private_metadata);
    await tell(body.user.id, await collections.dispute(milestoneId, invoiceId, reason, note, body.user.id));
  });
  app.view(VIEWS.paidOutside, async ({ ack, view, body }) => {
    const choice = view.state.values[COLLECTION_FIELDS.choice]?.[COLLECTION_FIELDS.choice]?.selected_option?.value;
    if (choice !== 'paid' && choice !== 'void') return void (await ack({ response_action: 'errors', errors: { [COLLECTION_FIELDS.choice]: 'Choose one.' } }));
    await ack();
    const { milestoneId, invoiceId } = parseCollectionValue(view.private_metadata);
    await tell(body.user.id, await collections.paidOutside(milestoneId, invoiceId, choice satisfies PaidOutside, body.user.id));
  });
  app.view(VIEWS.reissue, async ({ ack, view, body }) => {
    await ack();
    const [milestoneId = '', invoiceId = '', fingerprint = ''] = view.private_metadata.split('|');
    await tell(body.user.id, await collections.reissue(milestoneId, invoiceId || null, fingerprint, body.user.id));
  });
}

function userOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as { user?: { id?: unknown }; user_id?: unknown };
  if (typeof b.user?.id === 'string') return b.user.id;
  return typeof b.user_id === 'string' ? b.user_id : null;
}
