import Stripe from 'stripe';

/** The SDK client, pointed at STRIPE_API_URL when set (emulator, proxy). */
export function createStripeClient(secretKey: string, apiUrl?: string, timeout = 20_000): Stripe {
  if (!apiUrl) return new Stripe(secretKey, { maxNetworkRetries: 2, timeout });
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return new Stripe(secretKey, {
    host: url.hostname,
    port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port),
    protocol,
    maxNetworkRetries: 2,
    timeout,
  });
}
