import type { ComponentChildren } from "preact";
import type { Customer, TicketDetail } from "../api/types";
import { countryName, countryTimeZone, formatDate, formatDateTime, formatLocalTime, formatMoney, formatRelative, languageName } from "../format";
import { useI18n } from "../i18n";
import { carrierName, declineReason, disputeReason, paymentStatus, shipmentStatus } from "../i18n/labels";
import { useNow } from "./ui";

function Field(props: { label: string; children: ComponentChildren; testid?: string }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd data-testid={props.testid}>{props.children}</dd>
    </>
  );
}

function Card(props: { title: string; testid: string; empty?: string; children?: ComponentChildren; foot?: string }) {
  return (
    <section class="ctx-card" data-testid={props.testid}>
      <h3>{props.title}</h3>
      {props.empty ? <p class="muted small">{props.empty}</p> : props.children}
      {props.foot && <p class="muted small ctx-foot">{props.foot}</p>}
    </section>
  );
}

/** otherContacts are the ticket's contacts worth listing: known, not the customer, each once. */
export function otherContacts(customer: Customer | undefined, contacts: Customer[] | undefined): Customer[] {
  const key = (c: Customer) => (c.email ? "e:" + c.email.trim().toLowerCase() : "n:" + (c.name ?? "").trim());
  const seen = new Set<string>();
  if (customer?.email || customer?.name) seen.add(key(customer));
  const out: Customer[] = [];
  for (const c of contacts ?? []) {
    if (!c || !(c.email || c.name)) continue;
    const k = key(c);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}

/** ContextPanel shows what the agent needs beside the conversation: customer, order, payment, shipment. */
export function ContextPanel({ ticket }: { ticket: TicketDetail }) {
  const { t, locale } = useI18n();
  const { customer, context } = ticket;
  const p = context.payment;
  const s = context.shipment;
  const orderID = context.order?.id ?? ticket.order_id;
  useNow(); // a render each minute, so the local time moves on
  const zone = countryTimeZone(customer?.country);
  const localTime = formatLocalTime(zone, locale);
  const contacts = otherContacts(customer, ticket.contacts);
  const checkpoints = s ? [...s.checkpoints].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 4) : [];

  return (
    <aside class="context" data-testid="context-panel" aria-label={t("context.customer")}>
      <Card
        title={t("context.customer")}
        testid="ctx-customer"
        empty={customer?.name || customer?.email || customer?.country || contacts.length ? undefined : t("inbox.unknownCustomer")}
      >
        <dl>
          {customer?.name && <Field label={t("context.name")}>{customer.name}</Field>}
          {customer?.email && (
            <Field label={t("context.email")}>
              <a href={`mailto:${customer.email}`}>{customer.email}</a>
            </Field>
          )}
          {customer?.country && (
            <Field label={t("context.country")}>
              {countryName(customer.country, locale)} ({customer.country.toUpperCase()})
            </Field>
          )}
          {localTime && (
            <Field label={t("context.localTime")} testid="customer-local-time">
              <span title={zone}>{localTime}</span>
            </Field>
          )}
          {ticket.language && <Field label={t("context.language")}>{languageName(ticket.language, locale)}</Field>}
        </dl>
        {contacts.length > 0 && (
          <>
            <h4>{t("context.contacts")}</h4>
            <ul class="contacts" data-testid="contacts">
              {contacts.map((c) => (
                <li key={c.email || c.name} data-testid="contact">
                  {c.name && <span>{c.name}</span>}
                  {c.name && c.email && " · "}
                  {c.email && <a href={`mailto:${c.email}`}>{c.email}</a>}
                  {c.country && <span class="muted"> · {countryName(c.country, locale)}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
      </Card>

      <Card title={t("context.order")} testid="ctx-order" empty={orderID ? undefined : t("context.noOrder")}>
        <dl>
          <Field label={t("context.orderId")}>
            <code>{orderID}</code>
          </Field>
        </dl>
      </Card>

      <Card
        title={t("context.payment")}
        testid="ctx-payment"
        empty={p ? undefined : t("context.noPayment")}
        foot={p ? t("context.asOf", { when: formatRelative(p.as_of, locale) }) : undefined}
      >
        {p && (
          <dl>
            <Field label={t("context.status")} testid="payment-status">
              <span class={`pill pay-${p.status}`}>{paymentStatus(p.status, locale)}</span>
            </Field>
            <Field label={t("context.amount")} testid="payment-amount">
              <strong>{formatMoney(p.amount, locale)}</strong>
            </Field>
            {(p.decline_code || p.decline_reason) && (
              <Field label={t("context.declineReason")} testid="decline-reason">
                {declineReason(p.decline_code, p.decline_reason, locale)}
              </Field>
            )}
            {p.dispute && (
              <Field label={t("context.dispute")}>
                {formatMoney(p.dispute.amount, locale)} · {disputeReason(p.dispute.reason, locale)} · {paymentStatus(p.dispute.status, locale)}
                {p.dispute.evidence_due_by && (
                  <div class="warn small">{t("context.disputeDue", { date: formatDateTime(p.dispute.evidence_due_by, locale) })}</div>
                )}
              </Field>
            )}
            {p.refund && (
              <Field label={t("context.refund")}>
                {formatMoney(p.refund.amount, locale)} · {paymentStatus(p.refund.status, locale)}
              </Field>
            )}
            <Field label={t("context.paymentId")}>
              <code class="small">{p.payment_id}</code>
            </Field>
          </dl>
        )}
      </Card>

      <Card
        title={t("context.shipment")}
        testid="ctx-shipment"
        empty={s ? undefined : t("context.noShipment")}
        foot={s ? t("context.asOf", { when: formatRelative(s.as_of, locale) }) : undefined}
      >
        {s && (
          <>
            <dl>
              <Field label={t("context.carrier")}>{carrierName(s.carrier)}</Field>
              <Field label={t("context.tracking")}>
                <code>{s.tracking_number}</code>
              </Field>
              <Field label={t("context.status")} testid="shipment-status">
                <span class={`pill ship-${s.status}`}>{shipmentStatus(s.status, locale)}</span>
                {s.sub_status_message && <div class="small">{s.sub_status_message}</div>}
              </Field>
              {s.expected_delivery && <Field label={t("context.expected")}>{formatDate(s.expected_delivery, locale)}</Field>}
            </dl>
            <h4>{t("context.checkpoints")}</h4>
            {checkpoints.length === 0 ? (
              <p class="muted small">{t("context.noCheckpoints")}</p>
            ) : (
              <ol class="checkpoints">
                {checkpoints.map((c, i) => (
                  <li key={i}>
                    <div>{c.message}</div>
                    <div class="muted small">
                      {formatDateTime(c.at, locale)}
                      {c.location && ` · ${c.location}`}
                    </div>
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </Card>
    </aside>
  );
}
