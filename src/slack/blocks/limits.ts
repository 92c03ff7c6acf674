/** Block Kit limits (Slack's documented maxima); every builder clips to these. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  fieldText: 2000,
  fieldsPerSection: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  contextElements: 10,
  privateMetadata: 3000,
  viewTitle: 24,
  /** A confirmation dialog (Block Kit confirm object): title, text, and its two buttons. */
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Slack refuses messages whose blocks carry much more text than this (msg_blocks_too_long). */
  messageText: 12_000,
  fallbackText: 3000,
} as const;
