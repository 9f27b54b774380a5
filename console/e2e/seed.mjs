// Sample traffic for the e2e run: real-shaped Stripe and AfterShip webhooks (the providers'
// own test payloads under shared/providers/*/testdata, signed the way each provider signs)
// and customer messages through the shop's web-form endpoint. Times are moved so every event
// happened in the last few hours; the payloads are otherwise untouched.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const MERCHANT = "demo";
const STRIPE_SECRET = "whsec_local_demo"; // infra/local/seed.go defaults
const AFTERSHIP_SECRET = "aftership_local_demo";
const PUBLISHABLE_KEY = "pk_local_demo";

const UNIX_KEYS = new Set(["created", "ts", "due_by", "available_on", "arrival_date"]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** shiftTimes moves every timestamp in v by ms, keeping a payload's times consistent. */
export function shiftTimes(v, ms, key = "") {
  if (Array.isArray(v)) return v.map((x) => shiftTimes(x, ms));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shiftTimes(x, ms, k)]));
  }
  if (typeof v === "number" && UNIX_KEYS.has(key) && v > 1e9) return v + Math.round(ms / 1000);
  if (typeof v === "string" && DATE.test(v)) {
    const d = new Date(Date.parse(v + "T00:00:00Z") + Math.round(ms / 86_400_000) * 86_400_000);
    return d.toISOString().slice(0, 10);
  }
  if (typeof v === "string" && DATETIME.test(v)) {
    return new Date(Date.parse(v) + ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  return v;
}

function stripeSignature(body, secret, t = Math.floor(Date.now() / 1000)) {
  const sig = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${sig}`;
}

function aftershipSignature(body, secret) {
  return createHmac("sha256", secret).update(body).digest("base64");
}

async function post(url, body, headers) {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
  if (res.status >= 300) throw new Error(`POST ${url} = ${res.status}: ${await res.text()}`);
}

/** A JPY payment for a customer in Japan, derived from Stripe's payment_failed payload. */
function yenPayment(pi) {
  const text = JSON.stringify(pi)
    .replaceAll("3PQ8kLJw4nXb0aZt", "3PQ8kLJw4nXbJPY0")
    .replaceAll("camille.martin@example.com", "haruto.sato@example.jp")
    .replaceAll("Camille Martin", "Haruto Sato")
    .replaceAll('"FR"', '"JP"')
    .replaceAll("Lyon", "Osaka");
  const ev = JSON.parse(text);
  const o = ev.data.object;
  o.currency = "jpy";
  o.amount = 12800;
  o.metadata.order_id = "J-2041";
  o.description = "Order #J-2041";
  o.last_payment_error.decline_code = "expired_card";
  o.last_payment_error.message = "Your card has expired.";
  return ev;
}

/**
 * customerMessage posts a customer's message the way the storefront widget does (inbound, with
 * the publishable key). With an order number it joins that order's open ticket; ticketing is
 * asynchronous.
 */
export async function customerMessage(base, m) {
  await post(`${base}/inbound/${MERCHANT}/messages`, JSON.stringify(m), { "X-Borderdesk-Key": PUBLISHABLE_KEY });
}

/**
 * seed posts sample traffic to base (http://host:port) and returns what the e2e checks expect.
 * Ticketing is asynchronous: callers wait for the tickets to appear.
 */
export async function seed(base, repoRoot) {
  const now = Date.now();
  const read = (p) => JSON.parse(readFileSync(join(repoRoot, "shared/providers", p), "utf8"));
  let minutesAgo = 300;
  const nextTime = () => now - (minutesAgo -= 17) * 60_000;

  const stripe = [
    "stripe/testdata/charge.refunded.json",
    "stripe/testdata/charge.dispute.created.json",
    "stripe/testdata/charge.failed.json",
    "stripe/testdata/payment_intent.payment_failed.json",
  ].map(read);
  stripe.push(yenPayment(read("stripe/testdata/payment_intent.payment_failed.json")));
  const aftership = [
    "aftership/testdata/tracking_update.in_transit.json",
    "aftership/testdata/tracking_update.delayed.json",
    "aftership/testdata/tracking_update.exception.json",
    "aftership/testdata/tracking_update.failed_attempt.json",
  ].map(read);

  for (const ev of stripe) {
    const body = JSON.stringify(shiftTimes(ev, nextTime() - ev.created * 1000));
    await post(`${base}/webhooks/${MERCHANT}/stripe`, body, { "Stripe-Signature": stripeSignature(body, STRIPE_SECRET) });
  }
  for (const ev of aftership) {
    const body = JSON.stringify(shiftTimes(ev, nextTime() - ev.ts * 1000));
    await post(`${base}/webhooks/${MERCHANT}/aftership`, body, { "aftership-hmac-sha256": aftershipSignature(body, AFTERSHIP_SECRET) });
  }
  const messages = [
    {
      email: "camille.martin@example.com",
      name: "Camille Martin",
      order_number: "10482",
      text: "Bonjour, my card was declined twice for order 10482 but my bank says everything is fine. Can you help?",
    },
    {
      email: "wang.fang@example.cn",
      name: "王芳",
      text: "你好，我上周下的订单还没有发货，请问什么时候能寄出？",
    },
    {
      email: "marcus.bell@example.com",
      name: "Marcus Bell",
      order_number: "10402",
      text: "UPS says my parcel is going back to you. The address is right — what happened?",
    },
  ];
  for (const m of messages) await customerMessage(base, m);
  return {
    // Tickets the run can count on: payment failed EUR (10482) and JPY (J-2041), and a
    // customer message with no order.
    eurOrder: "10482",
    yenOrder: "J-2041",
    minTickets: 6,
  };
}
