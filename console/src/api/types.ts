// The API's JSON, as functions/api/views.go writes it.

export type TicketStatus = "open" | "pending" | "solved" | "closed";
export type Priority = "low" | "normal" | "high" | "urgent";
export type Category =
  | "payment_failed"
  | "payment"
  | "chargeback"
  | "refund"
  | "shipping_exception"
  | "shipping_delay"
  | "shipment"
  | "customer_message";

export const statuses: TicketStatus[] = ["open", "pending", "solved", "closed"];
export const priorities: Priority[] = ["urgent", "high", "normal", "low"];
export const categories: Category[] = [
  "payment_failed",
  "payment",
  "chargeback",
  "refund",
  "shipping_exception",
  "shipping_delay",
  "shipment",
  "customer_message",
];

/** What a ticket's subject line names. "topic" is the customer's own subject line. */
export type SubjectRefKind = "order" | "payment" | "parcel" | "customer" | "topic";
export const subjectRefKinds: SubjectRefKind[] = ["order", "payment", "parcel", "customer", "topic"];

export interface SubjectRef {
  kind: SubjectRefKind;
  /** An order number, payment id, tracking number, customer email, or the customer's subject line. */
  value: string;
}

export interface Money {
  amount: number; // integer minor units
  currency: string; // ISO 4217, any case
}

export interface Customer {
  email?: string;
  name?: string;
  country?: string; // ISO 3166-1 alpha-2
}

export interface Me {
  /** Who the caller is: their token's sub, their agent id. */
  id: string;
  /** For showing and addressing the caller; never who they are. */
  email: string;
  name?: string;
  role: string;
  language?: string;
  merchant: { id: string; name: string; time_zone?: string };
}

export interface TicketSummary {
  id: string;
  /** The server's English subject line; the fallback when subject_ref is absent or not understood. */
  subject: string;
  /**
   * What the subject names, for wording it in the agent's language (i18n/subjects.ts). The API
   * always sends it; older data and fixtures may not.
   */
  subject_ref?: SubjectRef;
  status: TicketStatus;
  category: Category;
  priority: Priority;
  customer: Customer;
  order_id?: string;
  /** The assigned agent's id (Agent.id). */
  assignee?: string;
  /** The assigned agent's name and email, when an agent has the id. */
  assignee_name?: string;
  assignee_email?: string;
  /** The customer's language (BCP 47), told or guessed from the country. */
  language?: string;
  /** Lower-case, sorted, unique. */
  tags: string[];
  /** The caller has not opened the ticket since its last activity (lists only). */
  unread: boolean;
  /** The closed ticket this one follows up on: news about a closed ticket opens a new one. */
  follow_up_of?: string;
  /**
   * Grows with every change to the ticket. With id it names the version shown, which every
   * PATCH sends back as If-Match ("<id>.<version>" in quotes): the API's ETag header is not
   * exposed cross-origin, so the console builds it from the body.
   */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface TicketList {
  tickets: TicketSummary[];
  next_cursor?: string;
}

export interface Dispute {
  id: string;
  reason: string;
  status: string;
  amount: Money;
  evidence_due_by?: string;
}

export interface Refund {
  id?: string;
  status: string;
  amount: Money;
  reason?: string;
}

export interface PaymentView {
  payment_id: string;
  charge_id?: string;
  status: string;
  amount: Money;
  decline_code?: string;
  decline_reason?: string;
  dispute?: Dispute;
  refund?: Refund;
  last_event: string;
  as_of: string;
}

export interface Checkpoint {
  at: string;
  location?: string;
  message: string;
  status?: string;
}

export interface ShipmentView {
  carrier: string;
  tracking_number: string;
  status: string;
  sub_status_message?: string;
  expected_delivery?: string;
  checkpoints: Checkpoint[];
  as_of: string;
}

export type EntryKind = "event" | "customer" | "reply" | "note" | "status";

export interface EntryView {
  id: string;
  kind: EntryKind | string;
  at: string;
  event_type?: string;
  /** An agent's id (reply, note, status) or the customer's email (customer). */
  author?: string;
  /** An agent author's name and email, when an agent has the id. */
  author_name?: string;
  author_email?: string;
  /** The server's English sentence; the fallback when params are absent or not understood. */
  body: string;
  /**
   * The facts behind an event or status line, all strings. Events: amount (minor units),
   * currency, decline_code, failure_message, dispute_reason, dispute_status, evidence_due_by,
   * refund_status, carrier, tracking_number, shipment_status, sub_status_message,
   * expected_delivery, last_scan; ticket.merged: ticket_id (the ticket folded in). Status lines: status, assignee ("" unassigned), tags
   * (comma-separated). Any subset.
   */
  params?: Record<string, string>;
  /** How a customer entry came in. Absent on older entries and on everything but customer entries. */
  channel?: Channel | string;
  /** What a customer entry that came by email carries beside its text (body is the new text). */
  email?: EmailMeta;
  /** Where a reply's email stands. Absent on other entries, and on replies older than delivery tracking. */
  delivery?: Delivery;
}

export type Channel = "email" | "web";

/**
 * EmailMeta is the email side of a customer entry (events/message.go EmailMeta as the API shows
 * it): all fields optional, omitted when empty.
 */
export interface EmailMeta {
  subject?: string;
  /** The earlier text the customer's client quoted and the signature, folded away; plain text. */
  quoted?: string;
  /** The new text's HTML part, sanitised by the server. Only ever shown in a sandboxed frame. */
  html?: string;
  attachments?: Attachment[];
  /** The receiving side's verdicts ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED"); {} when unchecked. */
  trust?: Trust;
}

export interface Attachment {
  id: string;
  filename: string;
  content_type: string;
  /** Bytes. */
  size: number;
  /** Why the file was not stored (over the size limit): there is nothing to download. Server text. */
  refused?: string;
}

export interface Trust {
  spam?: string;
  virus?: string;
  spf?: string;
  dkim?: string;
  dmarc?: string;
  /** Some verdict failed: the mail is kept and marked, never dropped. */
  suspicious?: boolean;
}

export type DeliveryState = "queued" | "sending" | "sent" | "delivered" | "delayed" | "bounced" | "complained" | "failed";
export const deliveryStates: DeliveryState[] = ["queued", "sending", "sent", "delivered", "delayed", "bounced", "complained", "failed"];

export interface Delivery {
  state: DeliveryState | string;
  /** Why it did not (or not yet) arrive, in the server's plain English words. */
  reason?: string;
  /** When the state was reached (RFC 3339). */
  at?: string;
}

/**
 * AttachmentLink is GET /tickets/{id}/attachments/{attachmentId}'s answer: a presigned URL, good
 * for five minutes, whose response sets Content-Disposition: attachment.
 */
export interface AttachmentLink {
  url: string;
  expires_at: string;
  filename: string;
  content_type: string;
  size: number;
}

/**
 * One ticket. GET /tickets/{id} of a ticket that was merged answers its survivor, so `id` can
 * differ from the id asked for.
 */
export interface TicketDetail extends TicketSummary {
  context: { order?: { id: string }; payment?: PaymentView; shipment?: ShipmentView };
  timeline: EntryView[];
  messages: EntryView[];
  /** The tickets folded into this one; their ids lead here. */
  merged_from?: string[];
  /** Other people known on the ticket besides `customer` (a billing contact, a second writer). */
  contacts?: Customer[];
}

export type Sort = "updated" | "oldest" | "priority";
export const sorts: Sort[] = ["updated", "oldest", "priority"];

/** The customer languages the inbox filters by; the API takes any BCP 47 tag. */
export const customerLanguages = ["de", "en", "fr", "es", "it", "nl", "pl", "zh-CN", "ja"];

export interface TicketFilter {
  status?: TicketStatus | "";
  category?: Category | "";
  priority?: Priority | "";
  /** "me", "none" (unassigned), an agent's email, or "" for anyone. */
  assignee?: string;
  /** A BCP 47 tag, or "" for any. */
  language?: string;
  /** "" is the API's default, updated. */
  sort?: Sort | "";
  /** Order number, customer email, tracking number or payment id; pages like the inbox. */
  q?: string;
}

export interface Agent {
  /** The agent's id (the Cognito sub): what assignees, authors and the assignee filter name. */
  id: string;
  /** For showing and addressing the agent; it may change, the id does not. */
  email: string;
  name: string;
  role: string;
  language?: string;
}

export interface AgentList {
  agents: Agent[];
}

/** The body of PATCH /tickets/{id}: absent fields stay as they are. */
export interface TicketUpdate {
  status?: TicketStatus;
  /** An agent's id (Agent.id); "" unassigns. */
  assignee?: string;
  /** Replaces the tags. */
  tags?: string[];
}
